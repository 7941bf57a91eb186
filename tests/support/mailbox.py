"""Read what Coursewire mailed: the development outbox folder (one RFC 5322 file per mail)."""

from __future__ import annotations

import email
import email.policy
import re
from email.message import EmailMessage
from pathlib import Path

from core.settings import Settings
from mail.queue import send_due
from mail.transport import outbox_folder, transport_for


async def deliver(settings: Settings) -> int:
    """Send the queued mail now (the app's worker would, within a second)."""
    return await send_due(transport_for(None, settings.data_dir), settings.mail_from)


def outbox(data_dir: Path) -> list[EmailMessage]:
    """Every mail in the outbox folder, oldest first."""
    folder = outbox_folder(data_dir)
    files = sorted(folder.glob("*.eml"), key=lambda p: p.stat().st_mtime_ns) if folder.exists() \
        else []
    return [email.message_from_bytes(f.read_bytes(), policy=email.policy.default)  # type: ignore[misc]
            for f in files]


def mails_to(data_dir: Path, address: str) -> list[EmailMessage]:
    return [m for m in outbox(data_dir) if m["To"] == address]


def text_of(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain",))
    assert part is not None
    return part.get_content()


def link_in(message: EmailMessage) -> str:
    """The one link in a mail's text part."""
    links = re.findall(r"https?://\S+", text_of(message))
    assert len(links) == 1, links
    return links[0]


def token_of(link: str) -> str:
    return link.split("token=", 1)[1]
