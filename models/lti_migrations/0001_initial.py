from tortoise import migrations
from tortoise.migrations import operations as ops
from orjson import loads
from tortoise.fields.base import OnDelete
from tortoise.fields.data import JSON_DUMPS
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0003_outbox_and_idempotency')]

    initial = True

    operations = [
        ops.CreateModel(
            name='LtiAccount',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('issuer', fields.CharField(max_length=255)),
                ('subject', fields.CharField(max_length=255)),
                ('user', fields.ForeignKeyField('models.User', source_field='user_id', db_constraint=True, to_field='id', related_name='lti_accounts', on_delete=OnDelete.CASCADE)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'lti_accounts', 'app': 'lti', 'unique_together': (('issuer', 'subject'),), 'pk_attr': 'id', 'table_description': 'A platform user (`sub` per issuer) linked to the Coursewire account they launch as.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='LtiPassbackCursor',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('last_event_id', fields.BigIntField(default=0)),
            ],
            options={'table': 'lti_passback_cursor', 'app': 'lti', 'pk_attr': 'id', 'table_description': 'How far the event log was read for grade changes (one row, id 1).'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='LtiRegistration',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('issuer', fields.CharField(max_length=255)),
                ('client_id', fields.CharField(max_length=255)),
                ('deployment_ids', fields.JSONField(default=list, encoder=JSON_DUMPS, decoder=loads)),
                ('auth_login_url', fields.CharField(max_length=2000)),
                ('auth_token_url', fields.CharField(max_length=2000)),
                ('key_set_url', fields.CharField(max_length=2000)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'lti_registrations', 'app': 'lti', 'unique_together': (('issuer', 'client_id'),), 'pk_attr': 'id', 'table_description': 'A platform (an LMS) that may launch Coursewire, as a site admin registered it.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='LtiCourseAccess',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('registration', fields.ForeignKeyField('lti.LtiRegistration', source_field='registration_id', db_constraint=True, to_field='id', related_name='courses', on_delete=OnDelete.CASCADE)),
                ('course_id', fields.CharField(max_length=255)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'lti_course_access', 'app': 'lti', 'unique_together': (('registration', 'course_id'),), 'pk_attr': 'id', 'table_description': 'A course an instructor opened to launches from a platform: a registered platform'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='LtiLoginState',
            fields=[
                ('state', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=64)),
                ('nonce', fields.CharField(unique=True, max_length=64)),
                ('registration', fields.ForeignKeyField('lti.LtiRegistration', source_field='registration_id', db_constraint=True, to_field='id', related_name='login_states', on_delete=OnDelete.CASCADE)),
                ('login_params', fields.JSONField(default=dict, encoder=JSON_DUMPS, decoder=loads)),
                ('expires_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('used_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'lti_login_states', 'app': 'lti', 'pk_attr': 'state', 'table_description': "An OIDC login in flight: its state (also in the browser's cookie) and single-use nonce."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='LtiResourceLink',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('registration', fields.ForeignKeyField('lti.LtiRegistration', source_field='registration_id', db_constraint=True, to_field='id', related_name='resource_links', on_delete=OnDelete.CASCADE)),
                ('deployment_id', fields.CharField(max_length=255)),
                ('link_id', fields.CharField(max_length=255)),
                ('course_id', fields.CharField(max_length=255)),
                ('block_id', fields.CharField(null=True, max_length=255)),
                ('title', fields.CharField(default='', max_length=255)),
                ('line_item_url', fields.CharField(null=True, max_length=2000)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'lti_resource_links', 'app': 'lti', 'unique_together': (('registration', 'deployment_id', 'link_id'),), 'pk_attr': 'id', 'table_description': "A platform's resource link, bound on its first launch to a course or one of its units."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='LtiScore',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('link', fields.ForeignKeyField('lti.LtiResourceLink', source_field='link_id', db_constraint=True, to_field='id', related_name='scores', on_delete=OnDelete.CASCADE)),
                ('user', fields.ForeignKeyField('models.User', source_field='user_id', db_constraint=True, to_field='id', related_name='lti_scores', on_delete=OnDelete.CASCADE)),
                ('subject', fields.CharField(max_length=255)),
                ('given', fields.FloatField()),
                ('maximum', fields.FloatField()),
                ('changed_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('sent_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('attempts', fields.IntField(default=0)),
                ('last_error', fields.CharField(null=True, max_length=500)),
                ('next_try_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'lti_scores', 'app': 'lti', 'unique_together': (('link', 'user'),), 'pk_attr': 'id', 'table_description': 'The latest score of a user on a resource link, waiting for the platform or sent.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='LtiToolKey',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('kid', fields.CharField(unique=True, max_length=64)),
                ('private_pem', fields.TextField(unique=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('retired_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'lti_tool_keys', 'app': 'lti', 'pk_attr': 'id', 'table_description': 'An RSA signing key of the tool. The newest signs, and a key retired by a rotation'},
            bases=['Model'],
        ),
    ]
