from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('quizzes', '0001_initial')]

    initial = False

    operations = [
        ops.AddField(
            model_name='QuizAttempt',
            name='claim',
            field=fields.CharField(null=True, db_index=True, max_length=32),
        ),
    ]
