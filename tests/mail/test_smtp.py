"""Mail through SMTP (aiosmtplib) to a real SMTP server running in the test (aiosmtpd)."""

from __future__ import annotations

import email
import email.policy
import socket
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult

from app.cli.server import demo_banner
from core.settings import load_settings
from mail.compose import Composed
from mail.queue import queue_mail, send_due
from mail.transport import OutboxFolder, SmtpServer, transport_for
from models.mail import OutgoingMail

HELLO = Composed(subject="Grades are out", text="See your progress page.\n",
                 html="<p>See your <a href='/progress'>progress</a> page.</p>")


class Inbox:
    """An aiosmtpd handler that keeps what it receives."""

    def __init__(self) -> None:
        self.received: list[tuple[str, list[str], bytes]] = []

    async def handle_DATA(self, server, session, envelope):
        self.received.append((envelope.mail_from, envelope.rcpt_tos, envelope.content))
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _authenticator(server, session, envelope, mechanism, auth_data):
    ok = auth_data.login == b"mailer" and auth_data.password == b"s3cret:/@"
    return AuthResult(success=ok, handled=False)


@pytest.fixture
def smtp_server():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port(),
                            authenticator=_authenticator, auth_require_tls=False)
    controller.start()
    yield controller, inbox
    controller.stop()


async def test_queued_mail_reaches_an_smtp_server_with_a_login(db, smtp_server):
    controller, inbox = smtp_server
    url = f"smtp://mailer:s3cret%3A%2F%40@127.0.0.1:{controller.port}"
    row = await queue_mail("ada@example.org", HELLO)
    assert await send_due(transport_for(url, db.data_dir), "noreply@example.org") == 1
    [(sender, recipients, content)] = inbox.received
    assert sender == "noreply@example.org" and recipients == ["ada@example.org"]
    message = email.message_from_bytes(content, policy=email.policy.default)
    assert message["Subject"] == "Grades are out"
    assert message.get_body(("plain",)).get_content().rstrip() == "See your progress page."
    assert "progress</a>" in message.get_body(("html",)).get_content()
    assert (await OutgoingMail.get(id=row.id)).sent_at is not None


async def test_a_refused_login_keeps_the_mail_for_a_retry(db, smtp_server):
    controller, inbox = smtp_server
    row = await queue_mail("ada@example.org", HELLO)
    wrong = SmtpServer(f"smtp://mailer:nope@127.0.0.1:{controller.port}")
    assert await send_due(wrong, "noreply@example.org") == 0
    kept = await OutgoingMail.get(id=row.id)
    assert kept.sent_at is None and kept.attempts == 1 and kept.last_error
    assert inbox.received == []


async def test_an_unreachable_server_keeps_the_mail_for_a_retry(db):
    row = await queue_mail("ada@example.org", HELLO)
    down = SmtpServer(f"smtp://127.0.0.1:{_free_port()}", timeout=5)
    assert await send_due(down, "noreply@example.org") == 0
    assert (await OutgoingMail.get(id=row.id)).attempts == 1


def test_smtp_urls_choose_tls_ports_and_credentials(tmp_path: Path):
    tls = SmtpServer("smtps://u%40x:p%2Fw@mail.example.org")
    assert (tls.tls, tls.port, tls.username, tls.password) == (True, 465, "u@x", "p/w")
    plain = SmtpServer("smtp://mail.example.org:2525")
    assert (plain.tls, plain.port, plain.username) == (False, 2525, None)
    assert isinstance(transport_for(None, tmp_path), OutboxFolder)


@pytest.mark.parametrize("url", ["http://mail.example.org", "smtp://", "smtp://h:port"])
def test_a_bad_smtp_url_is_a_one_line_settings_error(tmp_path: Path, url: str):
    with pytest.raises(ValueError, match="SMTP_URL"):
        load_settings({"COURSEWIRE_DATA_DIR": str(tmp_path), "SMTP_URL": url,
                       "SECRET_KEY": "k"})


def test_the_demo_says_where_mail_goes(tmp_path: Path):
    seeded = {"course_id": "course-v1:X+Y+Z",
              "users": [{"role": "student", "email": "ada@x.org", "password": "pw"}]}
    folder = load_settings({"COURSEWIRE_DATA_DIR": str(tmp_path), "SECRET_KEY": "k"})
    assert f"the outbox folder {tmp_path / 'outbox'}" in demo_banner(seeded, "http://h/", folder)
    smtp = load_settings({"COURSEWIRE_DATA_DIR": str(tmp_path), "SECRET_KEY": "k",
                          "SMTP_URL": "smtps://u:secret@mail.example.org"})
    banner = demo_banner(seeded, "http://h/", smtp)
    assert "smtps://mail.example.org:465" in banner and "secret" not in banner
