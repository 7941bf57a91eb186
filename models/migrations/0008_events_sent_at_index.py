from tortoise import migrations
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [('models', '0007_i18n_user_language')]

    initial = False

    operations = [
        # 0003 added `sent_at` with db_index=True, but Tortoise's AddField creates no index
        # for db_index (the migration state has it, so makemigrations never noticed): the
        # relay's sweep for unsent events scanned the whole event log. The name is the one
        # Tortoise gives the index when it creates the table itself.
        ops.RunSQL('CREATE INDEX IF NOT EXISTS "idx_events_sent_at_11eefd" ON "events" ("sent_at")',
                   reverse_sql='DROP INDEX IF EXISTS "idx_events_sent_at_11eefd"'),
    ]
