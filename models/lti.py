"""LTI 1.3 tables: the platforms registered by admins, the tool's own signing keys, login
states (state + nonce), platform accounts linked to users and resource links bound to
course content. The lti domain (lti/) is their only writer."""

from tortoise import fields
from tortoise.models import Model


class LtiRegistration(Model):
    """A platform (an LMS) that may launch Coursewire, as a site admin registered it."""

    id = fields.IntField(primary_key=True)
    issuer = fields.CharField(max_length=255)
    client_id = fields.CharField(max_length=255)
    deployment_ids = fields.JSONField(default=list)
    auth_login_url = fields.CharField(max_length=2000)
    auth_token_url = fields.CharField(max_length=2000)
    key_set_url = fields.CharField(max_length=2000)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "lti_registrations"
        unique_together = (("issuer", "client_id"),)


class LtiToolKey(Model):
    """An RSA signing key of the tool. The newest signs, and a key retired by a rotation
    stays in the published key set for a grace period (lti.keys)."""

    id = fields.IntField(primary_key=True)
    kid = fields.CharField(max_length=64, unique=True)
    private_pem = fields.TextField()
    created_at = fields.DatetimeField(auto_now_add=True)
    retired_at = fields.DatetimeField(null=True)

    class Meta:
        table = "lti_tool_keys"


class LtiLoginState(Model):
    """An OIDC login in flight: its state (also in the browser's cookie) and single-use nonce."""

    state = fields.CharField(max_length=64, primary_key=True)
    nonce = fields.CharField(max_length=64, unique=True)
    registration = fields.ForeignKeyField("lti.LtiRegistration", related_name="login_states",
                                          on_delete=fields.CASCADE)
    # what the login request carried: the fallback page restarts the login from them
    login_params = fields.JSONField(default=dict)
    expires_at = fields.DatetimeField()
    used_at = fields.DatetimeField(null=True)

    class Meta:
        table = "lti_login_states"


class LtiAccount(Model):
    """A platform user (`sub` per issuer) linked to the Coursewire account they launch as."""

    id = fields.IntField(primary_key=True)
    issuer = fields.CharField(max_length=255)
    subject = fields.CharField(max_length=255)
    user = fields.ForeignKeyField("models.User", related_name="lti_accounts",
                                  on_delete=fields.CASCADE)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "lti_accounts"
        unique_together = (("issuer", "subject"),)


class LtiResourceLink(Model):
    """A platform's resource link, bound on its first launch to a course or one of its units."""

    id = fields.IntField(primary_key=True)
    registration = fields.ForeignKeyField("lti.LtiRegistration", related_name="resource_links",
                                          on_delete=fields.CASCADE)
    deployment_id = fields.CharField(max_length=255)
    link_id = fields.CharField(max_length=255)
    course_id = fields.CharField(max_length=255)
    block_id = fields.CharField(max_length=255, null=True)
    title = fields.CharField(max_length=255, default="")
    # the platform's AGS line item for this link, from its launches (scores go there)
    line_item_url = fields.CharField(max_length=2000, null=True)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "lti_resource_links"
        unique_together = (("registration", "deployment_id", "link_id"),)


class LtiCourseAccess(Model):
    """A course an instructor opened to launches from a platform: a registered platform
    reaches only the courses whose instructors connected it."""

    id = fields.IntField(primary_key=True)
    registration = fields.ForeignKeyField("lti.LtiRegistration", related_name="courses",
                                          on_delete=fields.CASCADE)
    course_id = fields.CharField(max_length=255)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "lti_course_access"
        unique_together = (("registration", "course_id"),)


class LtiScore(Model):
    """The latest score of a user on a resource link, waiting for the platform or sent."""

    id = fields.IntField(primary_key=True)
    link = fields.ForeignKeyField("lti.LtiResourceLink", related_name="scores",
                                  on_delete=fields.CASCADE)
    user = fields.ForeignKeyField("models.User", related_name="lti_scores",
                                  on_delete=fields.CASCADE)
    subject = fields.CharField(max_length=255)
    given = fields.FloatField()
    maximum = fields.FloatField()
    changed_at = fields.DatetimeField()
    sent_at = fields.DatetimeField(null=True)
    attempts = fields.IntField(default=0)
    last_error = fields.CharField(max_length=500, null=True)
    next_try_at = fields.DatetimeField()

    class Meta:
        table = "lti_scores"
        unique_together = (("link", "user"),)


class LtiPassbackCursor(Model):
    """How far the event log was read for grade changes (one row, id 1)."""

    id = fields.IntField(primary_key=True)
    last_event_id = fields.BigIntField(default=0)

    class Meta:
        table = "lti_passback_cursor"


class LtiContext(Model):
    """A platform's course (context) whose links launch into a Coursewire course, with its
    Names and Role Provisioning endpoint: the roster is read from there on demand and after
    launches (lti.roster)."""

    id = fields.IntField(primary_key=True)
    registration = fields.ForeignKeyField("lti.LtiRegistration", related_name="contexts",
                                          on_delete=fields.CASCADE)
    context_id = fields.CharField(max_length=255)
    course_id = fields.CharField(max_length=255)
    title = fields.CharField(max_length=255, default="")
    memberships_url = fields.CharField(max_length=2000)
    sync_due_at = fields.DatetimeField(null=True)  # a launch asked for a roster sync
    synced_at = fields.DatetimeField(null=True)
    last_error = fields.CharField(max_length=500, null=True)
    sync_failures = fields.IntField(default=0)  # failed syncs since the last good one
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "lti_contexts"
        unique_together = (("registration", "context_id", "course_id"),)


class LtiRosterEntry(Model):
    """A user as the platform's roster of a context last listed them: active, or gone from
    it (inactive: their membership and work stay; only the platform signs them in)."""

    id = fields.IntField(primary_key=True)
    context = fields.ForeignKeyField("lti.LtiContext", related_name="roster",
                                     on_delete=fields.CASCADE)
    user = fields.ForeignKeyField("models.User", related_name="lti_roster_entries",
                                  on_delete=fields.CASCADE)
    active = fields.BooleanField(default=True)
    updated_at = fields.DatetimeField(auto_now=True)

    class Meta:
        table = "lti_roster_entries"
        unique_together = (("context", "user"),)
