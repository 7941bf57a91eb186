from tortoise import migrations
from tortoise.migrations import operations as ops
from orjson import loads
from tortoise.fields.base import OnDelete
from tortoise.fields.data import JSON_DUMPS
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0001_initial')]

    initial = True

    operations = [
        ops.CreateModel(
            name='OidcProvider',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('slug', fields.CharField(unique=True, max_length=40)),
                ('display_name', fields.CharField(max_length=100)),
                ('issuer', fields.CharField(max_length=2000)),
                ('client_id', fields.CharField(max_length=255)),
                ('client_secret', fields.CharField(max_length=1000)),
                ('scopes', fields.CharField(default='openid email profile', max_length=500)),
                ('email_domains', fields.JSONField(default=list, encoder=JSON_DUMPS, decoder=loads)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'oidc_providers', 'app': 'oidc', 'pk_attr': 'id', 'table_description': 'An OpenID Connect identity provider people may sign in with.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='OidcIdentity',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('provider', fields.ForeignKeyField('oidc.OidcProvider', source_field='provider_id', db_constraint=True, to_field='id', related_name='identities', on_delete=OnDelete.CASCADE)),
                ('subject', fields.CharField(max_length=255)),
                ('user', fields.ForeignKeyField('models.User', source_field='user_id', db_constraint=True, to_field='id', related_name='oidc_identities', on_delete=OnDelete.CASCADE)),
                ('email', fields.CharField(null=True, max_length=254)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'oidc_identities', 'app': 'oidc', 'unique_together': (('provider', 'subject'),), 'pk_attr': 'id', 'table_description': 'A provider account (sub) linked to the Coursewire account.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='OidcLogin',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('state', fields.CharField(unique=True, max_length=64)),
                ('nonce', fields.CharField(max_length=64)),
                ('code_verifier', fields.CharField(max_length=128)),
                ('provider', fields.ForeignKeyField('oidc.OidcProvider', source_field='provider_id', db_constraint=True, to_field='id', related_name='logins', on_delete=OnDelete.CASCADE)),
                ('link_user', fields.ForeignKeyField('models.User', source_field='link_user_id', db_constraint=True, to_field='id', related_name='oidc_logins', null=True, on_delete=OnDelete.CASCADE)),
                ('next_url', fields.CharField(default='/', max_length=2000)),
                ('expires_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'oidc_logins', 'app': 'oidc', 'pk_attr': 'id', 'table_description': 'An OpenID Connect sign-in in flight (state, nonce, PKCE).'},
            bases=['Model'],
        ),
    ]
