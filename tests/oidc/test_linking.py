"""The linking rules as service functions: who a provider's claims name, which account a
first sign-in lands in, and when a link may go."""

from __future__ import annotations

import pytest

from accounts.oidc.errors import SignInRefused
from accounts.oidc.linking import identity_of, link_identity, sign_in_with, unlink
from core.errors import Conflict, InvalidState
from models.oidc import OidcIdentity, OidcProvider
from tests.support.people import person


def _provider(**fields: object) -> OidcProvider:
    values = {"id": 7, "slug": "uni", "display_name": "Uni", "issuer": "https://idp.example",
              "client_id": "c", "client_secret": "s", "email_domains": [], **fields}
    return OidcProvider(**values)


def test_identity_takes_a_normalised_address_and_text_verified_flags() -> None:
    identity = identity_of(_provider(), {"sub": "s1", "email": " Ada@Uni.Example ",
                                         "email_verified": "true", "given_name": "Ada",
                                         "family_name": "L"})
    assert identity.email == "ada@uni.example" and identity.email_verified
    assert identity.name == "Ada L"


def test_an_unusable_address_is_never_verified() -> None:
    identity = identity_of(_provider(), {"sub": "s1", "email": "not an address",
                                         "email_verified": True})
    assert identity.email is None and not identity.email_verified


def test_domains_restrict_who_may_sign_in() -> None:
    provider = _provider(email_domains=["uni.example"])
    assert identity_of(provider, {"sub": "s", "email": "a@uni.example"}).email
    for claims in ({"sub": "s", "email": "a@evil.example"}, {"sub": "s"}):
        with pytest.raises(SignInRefused) as refused:
            identity_of(provider, claims)
        assert refused.value.status == 403


async def _saved_provider() -> OidcProvider:
    return await OidcProvider.create(slug="uni", display_name="Uni",
                                     issuer="https://idp.example", client_id="c",
                                     client_secret="s")


async def test_no_address_makes_an_account_with_a_placeholder(db) -> None:
    provider = await _saved_provider()
    outcome = await sign_in_with(identity_of(provider, {"sub": "s1", "name": "Nameless"}))
    assert outcome.created and outcome.user is not None
    assert outcome.user.email.endswith("@sign-in.invalid") and not outcome.user.email_verified
    again = await sign_in_with(identity_of(provider, {"sub": "s1"}))
    assert again.user is not None and again.user.id == outcome.user.id and not again.created


async def test_an_unverified_provider_address_never_takes_an_account(db) -> None:
    provider = await _saved_provider()
    owner = await person("ada@uni.example")
    owner.email_verified = True
    await owner.save()
    outcome = await sign_in_with(identity_of(provider, {"sub": "s1",
                                                        "email": "ada@uni.example"}))
    assert outcome.user is None and outcome.needs_password is not None
    assert not await OidcIdentity.exists()


async def test_one_link_per_provider_and_account(db) -> None:
    provider = await _saved_provider()
    ada, bob = await person("ada@example.org"), await person("bob@example.org")
    first = identity_of(provider, {"sub": "s1"})
    await link_identity(ada, first)
    await link_identity(ada, first)  # again: nothing changes
    with pytest.raises(Conflict):
        await link_identity(bob, first)  # someone else's provider account
    with pytest.raises(Conflict):
        await link_identity(ada, identity_of(provider, {"sub": "s2"}))  # a second one
    assert await OidcIdentity.filter(user_id=ada.id).count() == 1


async def test_the_last_way_in_stays(db) -> None:
    provider = await _saved_provider()
    outcome = await sign_in_with(identity_of(provider, {"sub": "s1", "email": "x@y.example"}))
    assert outcome.user is not None
    link = await OidcIdentity.get(user_id=outcome.user.id)
    with pytest.raises(InvalidState):
        await unlink(outcome.user, link.id)
    with_password = await person("pw@example.org")
    other = await link_identity(with_password, identity_of(provider, {"sub": "s9"}))
    await unlink(with_password, other.id)
    assert not await OidcIdentity.filter(id=other.id).exists()
