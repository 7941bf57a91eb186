from tortoise import migrations
from tortoise.migrations import operations as ops
from orjson import loads
from tortoise.fields.base import OnDelete
from tortoise.fields.data import JSON_DUMPS
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0007_i18n_user_language')]

    initial = True

    operations = [
        ops.CreateModel(
            name='DigestRun',
            fields=[
                ('day', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=10)),
                ('claimed_until', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('started_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('finished_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('mails', fields.IntField(default=0)),
            ],
            options={'table': 'notification_digest_runs', 'app': 'notifications', 'pk_attr': 'day'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Notification',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('user', fields.ForeignKeyField('models.User', source_field='user_id', db_constraint=True, to_field='id', related_name='notifications', on_delete=OnDelete.CASCADE)),
                ('kind', fields.CharField(max_length=32)),
                ('course_id', fields.CharField(null=True, max_length=255)),
                ('title', fields.CharField(max_length=300)),
                ('body', fields.TextField(default='', unique=False)),
                ('link', fields.CharField(default='', max_length=500)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('read_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('digest_pending', fields.BooleanField(default=False, db_index=True)),
                ('event_seq', fields.BigIntField(null=True)),
            ],
            options={'table': 'notifications', 'app': 'notifications', 'indexes': [Index(fields=['user_id', 'read_at'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='NotificationCursor',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('last_seq', fields.BigIntField(default=0)),
                ('claimed_until', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'notification_cursor', 'app': 'notifications', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='NotificationPreference',
            fields=[
                ('user', fields.OneToOneField('models.User', source_field='user_id', primary_key=True, db_index=True, db_constraint=True, to_field='id', related_name='notification_preference', on_delete=OnDelete.CASCADE)),
                ('modes', fields.JSONField(default=dict, encoder=JSON_DUMPS, decoder=loads)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'notification_preferences', 'app': 'notifications', 'pk_attr': 'user_id'},
            bases=['Model'],
        ),
    ]
