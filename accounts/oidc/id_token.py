"""The checks an id_token passes before anyone is signed in: signed (RS256) by a key the
provider publishes, issued by the provider (`iss`) for Coursewire (`aud`, `azp`), in date
(`exp`, `iat`) and answering this sign-in (`nonce`)."""

from __future__ import annotations

import hmac
from typing import Any

import jwt
from jwt import exceptions as jwt_errors

from accounts.oidc.discovery import PROVIDER_KEYS, ProviderMetadata
from accounts.oidc.errors import ProviderUnavailable, SignInRefused
from core.i18n import gettext as _
from core.jwks import KeySetUnavailable

LEEWAY_SECONDS = 60  # clocks drift


def _refusal(exc: jwt_errors.PyJWTError) -> SignInRefused:
    if isinstance(exc, jwt_errors.ExpiredSignatureError):
        return SignInRefused(_("The provider's answer has expired. Please sign in again."))
    if isinstance(exc, jwt_errors.InvalidAudienceError):
        return SignInRefused(_("The provider's answer was issued for another application "
                               "(audience), not this Coursewire."))
    if isinstance(exc, jwt_errors.InvalidIssuerError):
        return SignInRefused(_("The provider's answer names another issuer."))
    if isinstance(exc, jwt_errors.InvalidSignatureError):
        return SignInRefused(_("The provider's answer has a bad signature."), status=401)
    if isinstance(exc, jwt_errors.ImmatureSignatureError | jwt_errors.InvalidIssuedAtError):
        return SignInRefused(_("The provider's answer is dated in the future."))
    if isinstance(exc, jwt_errors.MissingRequiredClaimError):
        return SignInRefused(_("The provider's answer lacks the claim %(claim)s.",
                               claim=exc.claim))
    return SignInRefused(_("The provider's answer could not be read."))


async def verify_id_token(token: str, metadata: ProviderMetadata, client_id: str,
                          nonce: str) -> dict[str, Any]:
    """The id_token's claims once every check passed; SignInRefused says which failed."""
    try:
        header = jwt.get_unverified_header(token)
    except jwt_errors.DecodeError:
        raise SignInRefused(_("The provider's answer is not a signed token.")) from None
    kid = header.get("kid")
    if header.get("alg") != "RS256" or not isinstance(kid, str):
        raise SignInRefused(_("The provider's token must be signed with RS256 and name its "
                              "key (kid)."), status=401)
    try:
        key = await PROVIDER_KEYS.get().key(metadata.jwks_uri, kid)
    except KeySetUnavailable:
        raise ProviderUnavailable(_("The provider's keys could not be read, so its answer "
                                    "could not be checked. Nobody was signed in; try again "
                                    "in a moment.")) from None
    if key is None:
        raise SignInRefused(_("The provider's answer is signed with a key it does not "
                              "publish (bad signature)."), status=401)
    try:
        claims: dict[str, Any] = jwt.decode(
            token, key, algorithms=["RS256"], audience=client_id, issuer=metadata.issuer,
            leeway=LEEWAY_SECONDS,
            options={"require": ["iss", "sub", "aud", "exp", "iat"]})
    except jwt_errors.PyJWTError as exc:
        raise _refusal(exc) from None
    audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
    if len(audiences) > 1 and claims.get("azp") != client_id:
        raise SignInRefused(_("The provider's answer was issued for another application "
                              "(audience), not this Coursewire."))
    supplied = claims.get("nonce")
    if not isinstance(supplied, str) or not hmac.compare_digest(supplied, nonce):
        raise SignInRefused(_("The provider's answer belongs to another sign-in (nonce): "
                              "it may be a replay. Please sign in again."))
    if not isinstance(claims.get("sub"), str) or not claims["sub"]:
        raise SignInRefused(_("The provider's answer lacks the claim %(claim)s.", claim="sub"))
    return claims
