from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('quiz_integrity', '0001_initial'), ('quizzes', '0004_attempt_handover_at')]

    initial = False

    operations = [
        ops.CreateModel(
            name='AttemptConnection',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('attempt', fields.ForeignKeyField('quizzes.QuizAttempt', source_field='attempt_id', db_constraint=True, to_field='id', related_name='connections', on_delete=OnDelete.CASCADE)),
                ('process', fields.CharField(max_length=16)),
                ('seen_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'quiz_attempt_connections', 'app': 'quiz_integrity', 'unique_together': (('attempt', 'process'),), 'pk_attr': 'id', 'table_description': "One app process holds a live socket of the student's attempt page (quizzes.presence):"},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='AttemptHold',
            name='connected',
            field=fields.BooleanField(default=False),
        ),
    ]
