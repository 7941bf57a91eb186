"""User accounts."""

from tortoise import fields
from tortoise.models import Model


class User(Model):
    id = fields.IntField(primary_key=True)
    # Stored lower-cased so uniqueness is case-insensitive on every database.
    email = fields.CharField(max_length=254, unique=True)
    name = fields.CharField(max_length=200)
    password_hash = fields.CharField(max_length=255)
    is_admin = fields.BooleanField(default=False)
    can_create_courses = fields.BooleanField(default=False)
    created_at = fields.DatetimeField(auto_now_add=True)
    # Sessions and tokens carry the generation they were issued in; logging out moves it
    # on, so every cookie and token issued before stops working (accounts/session.py).
    session_generation = fields.IntField(default=0)
    # The owner opened a link mailed to this address (accounts/verification.py).
    email_verified = fields.BooleanField(default=False)
    # IANA name (Europe/Helsinki) times are shown in; None until the user or their browser
    # says (pages then show UTC). core/human_time.py.
    timezone = fields.CharField(max_length=64, null=True)
    # The language pages and mail are shown in (core/i18n.py LANGUAGES); None: the browser's
    # Accept-Language decides.
    language = fields.CharField(max_length=8, null=True)

    class Meta:
        table = "users"

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>"
