from tortoise import fields, migrations
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [('quizzes', '0003_attempt_claim_index')]

    initial = False

    operations = [
        ops.AddField(
            model_name='QuizAttempt',
            name='handover_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
    ]
