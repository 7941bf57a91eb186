from tortoise import migrations
from tortoise.migrations import operations as ops
from orjson import loads
from tortoise.fields.data import JSON_DUMPS
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('notifications', '0001_initial')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Notification',
            name='params',
            field=fields.JSONField(default=dict, encoder=JSON_DUMPS, decoder=loads),
        ),
    ]
