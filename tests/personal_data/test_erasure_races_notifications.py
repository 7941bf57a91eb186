"""An erasure and the notification consumer writing to the same person at once: the
consumer's delivery waits for the erasure and then finds the person gone, so the erasure
never meets a notification written behind its back (service CI: erasure refused with a
500, "Notification.user still names user 2"). Both modes (SQLite serializes the two by
its connection lock; PostgreSQL by the person's row lock)."""

from __future__ import annotations

import asyncio

import pytest
from tortoise.transactions import in_transaction

import accounts.erasure
from accounts.erasure import erase_user
from models.notifications import Notification
from models.users import User
from notifications.delivery import deliver
from notifications.kinds import Draft, Kind
from tests.support.people import person


async def test_a_delivery_during_an_erasure_waits_and_writes_nothing(
        app, monkeypatch: pytest.MonkeyPatch):
    zeb = await person("zeb@example.org", "Zeb")
    inside, go_on = asyncio.Event(), asyncio.Event()
    real = accounts.erasure.forget_recipient

    async def paused(email: str) -> None:  # runs inside the erasure's transaction
        inside.set()
        await go_on.wait()
        await real(email)

    monkeypatch.setattr(accounts.erasure, "forget_recipient", paused)
    erasing = asyncio.create_task(erase_user(zeb.id))
    await asyncio.wait_for(inside.wait(), 10)

    async def consumer_round() -> list[Notification]:
        async with in_transaction():
            return await deliver([Draft(zeb.id, Kind.ANNOUNCEMENT, {"title": "Exam moved"},
                                        "/courses")], "http://testserver")

    delivering = asyncio.create_task(consumer_round())
    await asyncio.sleep(0.3)
    assert not delivering.done()  # waits for the erasure's commit
    go_on.set()
    await asyncio.wait_for(erasing, 10)  # no "still names user" refusal
    assert await asyncio.wait_for(delivering, 10) == []  # the person was gone
    assert not await User.exists(id=zeb.id)
    assert not await Notification.exists(user_id=zeb.id)
