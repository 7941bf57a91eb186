from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('lti', '0002_ltimore_rosters')]

    initial = False

    operations = [
        ops.AddField(
            model_name='LtiContext',
            name='sync_failures',
            field=fields.IntField(default=0),
        ),
    ]
