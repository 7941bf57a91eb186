"""Sign-in with an institution's identity provider (OpenID Connect): the providers a site
admin configured, the provider accounts (`sub` per provider) linked to Coursewire accounts,
and the sign-ins in flight (accounts.oidc)."""

from tortoise import fields
from tortoise.models import Model


class OidcProvider(Model):
    """An identity provider people may sign in with ("Sign in with Aalto")."""

    id = fields.IntField(primary_key=True)
    slug = fields.CharField(max_length=40, unique=True)  # in URLs: /sign-in/<slug>
    display_name = fields.CharField(max_length=100)
    # The issuer URL; its discovery document is <issuer>/.well-known/openid-configuration.
    issuer = fields.CharField(max_length=2000)
    client_id = fields.CharField(max_length=255)
    client_secret = fields.CharField(max_length=1000)  # never shown back (accounts.oidc)
    scopes = fields.CharField(max_length=500, default="openid email profile")
    # Lower-case domains whose addresses may sign in; empty: any the provider vouches for.
    email_domains = fields.JSONField(default=list)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "oidc_providers"
        table_description = "An OpenID Connect identity provider people may sign in with."


class OidcIdentity(Model):
    """A provider account linked to a Coursewire account: always by (provider, sub), never
    by email alone."""

    id = fields.IntField(primary_key=True)
    provider = fields.ForeignKeyField("oidc.OidcProvider", related_name="identities",
                                      on_delete=fields.CASCADE)
    subject = fields.CharField(max_length=255)
    user = fields.ForeignKeyField("models.User", related_name="oidc_identities",
                                  on_delete=fields.CASCADE)
    email = fields.CharField(max_length=254, null=True)  # as the provider last said
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "oidc_identities"
        unique_together = (("provider", "subject"),)
        table_description = "A provider account (sub) linked to the Coursewire account."


class OidcLogin(Model):
    """A sign-in in flight: its state (also in the browser's session), nonce and PKCE
    verifier; deleted when the provider's answer comes back (single use)."""

    id = fields.IntField(primary_key=True)
    state = fields.CharField(max_length=64, unique=True)
    nonce = fields.CharField(max_length=64)
    code_verifier = fields.CharField(max_length=128)
    provider = fields.ForeignKeyField("oidc.OidcProvider", related_name="logins",
                                      on_delete=fields.CASCADE)
    # Set when a signed-in user links this provider from their profile.
    link_user = fields.ForeignKeyField("models.User", related_name="oidc_logins", null=True,
                                       on_delete=fields.CASCADE)
    next_url = fields.CharField(max_length=2000, default="/")
    expires_at = fields.DatetimeField()

    class Meta:
        table = "oidc_logins"
        table_description = "An OpenID Connect sign-in in flight (state, nonce, PKCE)."
