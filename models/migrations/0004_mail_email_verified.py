from tortoise import fields, migrations
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [('models', '0003_outbox_and_idempotency')]

    initial = False

    operations = [
        ops.AddField(
            model_name='User',
            name='email_verified',
            field=fields.BooleanField(default=False),
        ),
    ]
