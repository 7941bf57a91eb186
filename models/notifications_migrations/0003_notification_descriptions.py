from tortoise import migrations
from tortoise.indexes import Index
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [('notifications', '0002_notification_params')]

    initial = False

    operations = [
        # The models' docstrings (Tortoise's table_description); no change to the tables.
        ops.AlterModelOptions(
            name='DigestRun',
            options={'table': 'notification_digest_runs', 'app': 'notifications', 'pk_attr': 'day', 'table_description': 'The daily digest of one day (UTC date), claimed by one process at a time.'},
        ),
        ops.AlterModelOptions(
            name='Notification',
            options={'table': 'notifications', 'app': 'notifications', 'indexes': [Index(fields=['user_id', 'read_at'])], 'pk_attr': 'id', 'table_description': 'One thing a person was told about, kept until they delete their account.'},
        ),
        ops.AlterModelOptions(
            name='NotificationCursor',
            options={'table': 'notification_cursor', 'app': 'notifications', 'pk_attr': 'id', 'table_description': 'How far the consumer has read the event log (one row, id 1). It moves with a'},
        ),
        ops.AlterModelOptions(
            name='NotificationPreference',
            options={'table': 'notification_preferences', 'app': 'notifications', 'pk_attr': 'user_id', 'table_description': 'How a person wants each kind: `inbox`, `immediate` or `digest` (kind -> mode); a kind'},
        ),
    ]
