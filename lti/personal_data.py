"""LTI's part of a person's export and erasure: the platform accounts (issuer and `sub`)
linked to them, the scores waiting to be sent back and the platform rosters listing them.
Erasure deletes all three: a platform's
`sub` identifies the person, and a later launch with it must not land in the tombstone (it
finds no link and makes a fresh account)."""

from __future__ import annotations

from typing import Any

from accounts.personal_data import Erasure, PersonalDataPart
from models.lti import LtiAccount, LtiRosterEntry, LtiScore


async def export(user_id: int) -> dict[str, Any]:
    return {
        "platform_accounts": await LtiAccount.filter(user_id=user_id).values(
            "issuer", "subject", "created_at"),
        "scores": await LtiScore.filter(user_id=user_id).values(
            "link_id", "given", "maximum", "changed_at", "sent_at"),
        "platform_rosters": await LtiRosterEntry.filter(user_id=user_id).values(
            "context__title", "active", "updated_at"),
    }


async def erase(erasure: Erasure) -> None:
    await LtiScore.filter(user_id=erasure.user_id).delete()
    await LtiRosterEntry.filter(user_id=erasure.user_id).delete()
    await LtiAccount.filter(user_id=erasure.user_id).delete()


PART = PersonalDataPart(export=export, erase=erase)
