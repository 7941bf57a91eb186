from tortoise import migrations
from tortoise.migrations import operations as ops
from orjson import loads
from tortoise.fields.base import OnDelete
from tortoise.fields.data import JSON_DUMPS
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('grading', '0001_initial'), ('models', '0001_initial'), ('peer_review', '0001_initial')]

    initial = False

    operations = [
        ops.AddField(
            model_name='PeerAssignment',
            name='opened_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='PeerResponse',
            name='cancelled_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='PeerResponse',
            name='cancelled_by',
            field=fields.ForeignKeyField('models.User', source_field='cancelled_by_id', null=True, db_constraint=True, to_field='id', related_name='peer_cancellations', on_delete=OnDelete.SET_NULL),
        ),
        ops.AddField(
            model_name='PeerResponse',
            name='feedback',
            field=fields.JSONField(null=True, encoder=JSON_DUMPS, decoder=loads),
        ),
        ops.AddField(
            model_name='PeerResponse',
            name='withdrawn_points',
            field=fields.FloatField(null=True),
        ),
    ]
