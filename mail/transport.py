"""Where mail goes: an SMTP server (`SMTP_URL`, through aiosmtplib) or, in development, one
RFC 5322 file per mail in `<data dir>/outbox/`.

A mail's Message-ID is fixed by its queue row, so if a sender dies after handing a mail over
and before marking it sent, the second copy is the same message (the outbox folder simply
rewrites its file; a mail client shows SMTP duplicates as one).
"""

from __future__ import annotations

import os
from email.message import EmailMessage
from email.parser import BytesParser
from email.policy import default
from email.utils import format_datetime, parseaddr
from pathlib import Path
from typing import Protocol
from urllib.parse import unquote, urlsplit

import aiosmtplib

from models.mail import OutgoingMail

SMTP_TIMEOUT = 30.0


class Transport(Protocol):
    async def send(self, message: EmailMessage) -> None: ...

    def describe(self) -> str: ...


def message_of(row: OutgoingMail, sender: str) -> EmailMessage:
    """The RFC 5322 message for a queued mail: text with an HTML alternative."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = row.to_address
    message["Subject"] = row.subject
    message["Date"] = format_datetime(row.created_at)
    domain = sender.rpartition("@")[2].strip(" >") or "coursewire.invalid"
    message["Message-ID"] = f"<mail-{row.id}-{int(row.created_at.timestamp())}@{domain}>"
    message.set_content(row.text_body)
    message.add_alternative(row.html_body, subtype="html")
    return message


class OutboxFolder:
    """The development outbox: `<id>.eml` files, readable by the data dir's owner only."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def describe(self) -> str:
        return f"the outbox folder {self.folder}"

    async def send(self, message: EmailMessage) -> None:
        self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        name = message["Message-ID"].strip("<>").partition("@")[0]
        final = self.folder / f"{name}.eml"
        partial = self.folder / f".{name}.partial"
        # Written aside and renamed: a reader never sees half a mail.
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as file:
            file.write(message.as_bytes())
        os.replace(partial, final)


class SmtpServer:
    """An SMTP server from `smtp://` (STARTTLS when offered) or `smtps://` (TLS) URLs,
    with `user:password@` when it wants a login."""

    def __init__(self, url: str, timeout: float = SMTP_TIMEOUT) -> None:
        parts = urlsplit(url)
        self.tls = parts.scheme == "smtps"
        self.host = parts.hostname or "localhost"
        self.port = parts.port or (465 if self.tls else 25)
        self.username = unquote(parts.username) if parts.username else None
        self.password = unquote(parts.password) if parts.password else None
        self.timeout = timeout

    def describe(self) -> str:
        return f"{'smtps' if self.tls else 'smtp'}://{self.host}:{self.port}"

    async def send(self, message: EmailMessage) -> None:
        await aiosmtplib.send(
            message, hostname=self.host, port=self.port, use_tls=self.tls,
            username=self.username, password=self.password, timeout=self.timeout)


def outbox_folder(data_dir: Path) -> Path:
    return data_dir / "outbox"


def transport_for(smtp_url: str | None, data_dir: Path) -> Transport:
    return SmtpServer(smtp_url) if smtp_url else OutboxFolder(outbox_folder(data_dir))


def forget_outbox_files(folder: Path, address: str) -> int:
    """Delete the development outbox's mails to `address` (an erased person's)."""
    removed = 0
    for path in folder.glob("*.eml") if folder.is_dir() else ():
        with path.open("rb") as f:
            to = BytesParser(policy=default).parse(f, headersonly=True).get("To", "")
        if parseaddr(str(to))[1].lower() == address.lower():
            path.unlink(missing_ok=True)
            removed += 1
    return removed
