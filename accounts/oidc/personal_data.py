"""The provider accounts linked to a person, in their export; erasure deletes them (a later
sign-in with the same `sub` must not land in the tombstone), and their sign-ins in flight."""

from __future__ import annotations

from typing import Any

from accounts.personal_data import Erasure, PersonalDataPart
from models.oidc import OidcIdentity, OidcLogin


async def export(user_id: int) -> list[dict[str, Any]]:
    return await OidcIdentity.filter(user_id=user_id).values(
        "provider__display_name", "subject", "email", "created_at")


async def erase(erasure: Erasure) -> None:
    await OidcLogin.filter(link_user_id=erasure.user_id).delete()
    await OidcIdentity.filter(user_id=erasure.user_id).delete()


PART = PersonalDataPart(export=export, erase=erase)
