"""Mail installs itself: the sender worker, to SMTP or the outbox folder."""

from __future__ import annotations

from core.install import Host, task_worker
from mail.transport import transport_for
from mail.worker import run_mail_sender


def install(host: Host) -> None:
    settings = host.settings
    transport = transport_for(settings.smtp_url, settings.data_dir)
    host.add_worker("mail", task_worker(
        "mail-sender", lambda: run_mail_sender(transport, settings.mail_from)))
