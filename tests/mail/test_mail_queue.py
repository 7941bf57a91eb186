"""The mail queue: durable rows, one sender per mail (leases), retries with growing delays,
the development outbox folder as RFC 5322 files."""

from __future__ import annotations

import asyncio
import email
import email.policy
import itertools
import stat
from datetime import timedelta

from app.application import create_app
from core.clock import now
from mail.compose import Composed
from mail.queue import MAX_ATTEMPTS, backoff, queue_mail, send_due
from mail.transport import OutboxFolder, outbox_folder
from models.db import close_db, init_db
from models.mail import OutgoingMail
from tests.support.mailbox import mails_to

HELLO = Composed(subject="Hello", text="Plain words.\n", html="<p>Rich <b>words</b></p>")


class Recorder:
    """A transport that remembers what it was given, slowly (so senders overlap)."""

    def __init__(self, fail_times: int = 0) -> None:
        self.sent: list[str] = []
        self.fail_times = fail_times

    def describe(self) -> str:
        return "a recorder"

    async def send(self, message) -> None:
        await asyncio.sleep(0.01)
        if self.fail_times:
            self.fail_times -= 1
            raise ConnectionRefusedError("the mail server is down")
        self.sent.append(message["Message-ID"])


async def test_a_queued_mail_lands_in_the_outbox_folder_as_rfc5322_text_and_html(db):
    row = await queue_mail("ada@example.org", HELLO)
    folder = outbox_folder(db.data_dir)
    assert await send_due(OutboxFolder(folder), "Coursewire <noreply@example.org>") == 1
    [file] = list(folder.glob("*.eml"))
    assert stat.S_IMODE(file.stat().st_mode) == 0o600
    message = email.message_from_bytes(file.read_bytes(), policy=email.policy.default)
    assert message["To"] == "ada@example.org" and message["Subject"] == "Hello"
    assert message["From"] == "Coursewire <noreply@example.org>"
    assert message.get_body(("plain",)).get_content() == "Plain words.\n"
    assert "<b>words</b>" in message.get_body(("html",)).get_content()
    assert (await OutgoingMail.get(id=row.id)).sent_at is not None
    assert await send_due(OutboxFolder(folder), "x@example.org") == 0  # sent once only


async def test_two_senders_never_send_the_same_mail(db):
    for i in range(6):
        await queue_mail(f"student{i}@example.org", HELLO)
    first, second = Recorder(), Recorder()
    counts = await asyncio.gather(send_due(first, "a@example.org"),
                                  send_due(second, "a@example.org"))
    assert sum(counts) == 6
    everything = first.sent + second.sent
    assert len(everything) == len(set(everything)) == 6


async def test_a_lease_held_by_a_dead_sender_delays_the_mail_until_it_runs_out(db):
    row = await queue_mail("ada@example.org", HELLO)
    await OutgoingMail.filter(id=row.id).update(claimed_until=now() + timedelta(minutes=1))
    recorder = Recorder()
    assert await send_due(recorder, "a@example.org") == 0
    await OutgoingMail.filter(id=row.id).update(claimed_until=now() - timedelta(seconds=1))
    assert await send_due(recorder, "a@example.org") == 1


async def test_a_failed_send_is_retried_later_and_the_mail_is_not_lost(db):
    row = await queue_mail("ada@example.org", HELLO)
    recorder = Recorder(fail_times=1)
    assert await send_due(recorder, "a@example.org") == 0
    failed = await OutgoingMail.get(id=row.id)
    assert failed.attempts == 1 and "down" in failed.last_error
    assert failed.next_attempt_at > now() and failed.claimed_until is None
    assert await send_due(recorder, "a@example.org") == 0  # not before its backoff
    await OutgoingMail.filter(id=row.id).update(next_attempt_at=now())
    assert await send_due(recorder, "a@example.org") == 1
    assert (await OutgoingMail.get(id=row.id)).sent_at is not None


async def test_a_mail_that_never_goes_through_is_marked_failed_with_its_error(db):
    row = await queue_mail("ada@example.org", HELLO)
    recorder = Recorder(fail_times=MAX_ATTEMPTS)
    for _ in range(MAX_ATTEMPTS):
        await OutgoingMail.filter(id=row.id).update(next_attempt_at=now())
        await send_due(recorder, "a@example.org")
    given_up = await OutgoingMail.get(id=row.id)
    assert given_up.failed_at is not None and given_up.sent_at is None
    assert given_up.attempts == MAX_ATTEMPTS and "down" in given_up.last_error
    await OutgoingMail.filter(id=row.id).update(next_attempt_at=now())
    assert await send_due(Recorder(), "a@example.org") == 0


def test_retries_wait_longer_each_time_up_to_a_ceiling():
    waits = [backoff(n) for n in range(1, 15)]
    assert waits[0] == timedelta(seconds=30)
    assert all(a <= b for a, b in itertools.pairwise(waits))
    assert waits[1] > waits[0] and waits[-1] == timedelta(hours=6)


async def test_resending_a_mail_rewrites_the_same_outbox_file(db, tmp_path):
    """A sender that died after writing and before marking: the next one writes the same
    message (same Message-ID), so the folder still holds one file for it."""
    await queue_mail("ada@example.org", HELLO)
    folder = OutboxFolder(tmp_path / "outbox")
    await send_due(folder, "a@example.org")
    await OutgoingMail.all().update(sent_at=None)
    await send_due(folder, "a@example.org")
    assert len(list((tmp_path / "outbox").glob("*.eml"))) == 1


async def test_mail_queued_before_a_restart_is_sent_by_the_next_process(settings):
    """Queued by a process that stopped before sending: the next app's mail worker sends it."""
    await init_db(settings)
    await queue_mail("ada@example.org", HELLO)
    await close_db()
    application = create_app(settings)
    await application.runtime.start()
    try:
        for _ in range(200):  # the worker polls every second; wait for the mail, not a time
            if mails_to(settings.data_dir, "ada@example.org"):
                break
            await asyncio.sleep(0.05)
        [mail] = mails_to(settings.data_dir, "ada@example.org")
        assert mail["Subject"] == "Hello"
    finally:
        await application.runtime.stop()
