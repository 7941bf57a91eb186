from tortoise import migrations
from tortoise.migrations import operations as ops
from orjson import loads
from tortoise.fields.base import OnDelete
from tortoise.fields.data import JSON_DUMPS
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0002_user_session_generation')]

    initial = False

    operations = [
        ops.CreateModel(
            name='IdempotentRequest',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('user', fields.ForeignKeyField('models.User', source_field='user_id', db_constraint=True, to_field='id', related_name='idempotent_requests', on_delete=OnDelete.CASCADE)),
                ('key', fields.CharField(max_length=255)),
                ('fingerprint', fields.CharField(max_length=64)),
                ('status', fields.IntField(null=True)),
                ('headers', fields.JSONField(null=True, encoder=JSON_DUMPS, decoder=loads)),
                ('body', fields.TextField(null=True, unique=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('expires_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'idempotent_requests', 'app': 'models', 'unique_together': (('user', 'key'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='PrunedEvents',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('through_seq', fields.BigIntField(default=0)),
            ],
            options={'table': 'events_pruned', 'app': 'models', 'pk_attr': 'id', 'table_description': 'How far the event log was pruned: a `since` below `through_seq` may have missed'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='Event',
            name='claimed_until',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='Event',
            name='html_by_audience',
            field=fields.JSONField(null=True, encoder=JSON_DUMPS, decoder=loads),
        ),
        ops.AddField(
            model_name='Event',
            name='sent_at',
            field=fields.DatetimeField(null=True, db_index=True, auto_now=False, auto_now_add=False),
        ),
        # Events logged before the outbox were sent when written: no relay may send them again.
        ops.RunSQL("UPDATE events SET sent_at = created_at WHERE sent_at IS NULL",
                   reverse_sql="SELECT 1"),
    ]
