from tortoise import fields, migrations
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [('models', '0005_enrol_group_and_self_enrolment')]

    initial = False

    operations = [
        ops.AddField(
            model_name='User',
            name='timezone',
            field=fields.CharField(max_length=64, null=True),
        ),
    ]
