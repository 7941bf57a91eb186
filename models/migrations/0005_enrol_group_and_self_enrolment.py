from tortoise import fields, migrations
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [('models', '0004_mail_email_verified')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Membership',
            name='group',
            field=fields.CharField(max_length=64, null=True),
        ),
        ops.AddField(
            model_name='Course',
            name='self_enrolment',
            field=fields.BooleanField(default=False),
        ),
    ]
