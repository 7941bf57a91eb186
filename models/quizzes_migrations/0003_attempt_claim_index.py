from tortoise import migrations
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [('quizzes', '0002_attempt_claim')]

    initial = False

    operations = [
        # 0002 added `claim` with db_index=True, but Tortoise's AddField creates no index for
        # db_index (the migration state has it, so makemigrations never noticed): a hand-in
        # reading back the attempts it claimed scanned every attempt. The name is the one
        # Tortoise gives the index when it creates the table itself.
        ops.RunSQL('CREATE INDEX IF NOT EXISTS "idx_quiz_attemp_claim_8d5bc6" '
                   'ON "quiz_attempts" ("claim")',
                   reverse_sql='DROP INDEX IF EXISTS "idx_quiz_attemp_claim_8d5bc6"'),
    ]
