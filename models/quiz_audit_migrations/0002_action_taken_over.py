from tortoise import fields, migrations
from tortoise.migrations import operations as ops

from models.quiz_audit import AttemptAction


class Migration(migrations.Migration):
    dependencies = [('quiz_audit', '0001_initial')]

    initial = False

    operations = [
        # TAKEN_OVER joined the enum: only the column's description (a comment on
        # PostgreSQL) changes, the column is still varchar(32).
        ops.AlterField(
            model_name='QuizAttemptEvent',
            name='action',
            field=fields.CharEnumField(description='STARTED: started\nSUBMITTED: submitted\nSUBMITTED_AT_DEADLINE: submitted_at_deadline\nGRADED: graded\nREOPENED: reopened\nEXTENDED: extended\nACCOMMODATION_CHANGED: accommodation_changed\nTAKEN_OVER: taken_over', enum_type=AttemptAction, max_length=32),
        ),
        # On SQLite, AlterField rebuilds the table, and the rebuilt table has no indexes:
        # put the (attempt_id, id) index back under its own name (on PostgreSQL it is there).
        ops.RunSQL('CREATE INDEX IF NOT EXISTS "idx_quiz_attemp_attempt_d62282" '
                   'ON "quiz_attempt_events" ("attempt_id", "id")',
                   reverse_sql="SELECT 1"),
    ]
