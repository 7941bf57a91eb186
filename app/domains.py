"""Every package installs itself into the Runtime here, in one place and in this order.

Nothing registers itself when imported: each package's `install(host)` (core.install)
hands the Runtime its routes, templates, topics, resync renderers, block types, event
types, process state and workers. The order is the routes' order (the shell's own pages
sit between the platform and the domains) and the order resync fragments are rendered in.
"""

from __future__ import annotations

from accounts import install as accounts
from announcements import install as announcements
from app import frame_routes, pages
from core.install import Host
from courses import install as courses
from courseware import install as courseware
from forum import install as forum
from grading import install as grading
from lti import install as lti
from mail import install as mail
from notifications import install as notifications
from peer_review import install as peer_review
from quizzes import install as quizzes


def install_domains(host: Host) -> None:
    mail.install(host)
    accounts.install(host)
    courses.install(host)
    host.add_routes(pages.routes)
    host.add_routes(frame_routes.routes)
    announcements.install(host)
    courseware.install(host)
    grading.install(host)
    forum.install(host)
    peer_review.install(host)
    quizzes.install(host)
    lti.install(host)
    notifications.install(host)
