from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('forum', '0001_initial'), ('models', '0001_initial')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Post',
            name='pending_body_html',
            field=fields.TextField(null=True, unique=False),
        ),
        ops.AddField(
            model_name='Post',
            name='pending_body_md',
            field=fields.TextField(null=True, unique=False),
        ),
        ops.AddField(
            model_name='Post',
            name='pending_edit_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
    ]
