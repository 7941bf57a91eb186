from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('quizzes', '0001_initial')]

    initial = True

    operations = [
        ops.CreateModel(
            name='AttemptDevice',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('attempt', fields.ForeignKeyField('quizzes.QuizAttempt', source_field='attempt_id', db_constraint=True, to_field='id', related_name='devices', on_delete=OnDelete.CASCADE)),
                ('device', fields.CharField(max_length=32)),
                ('opened_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'quiz_attempt_devices', 'app': 'quiz_integrity', 'unique_together': (('attempt', 'device'),), 'pk_attr': 'id', 'table_description': "A device that opened an attempt (with the quiz's access code, if it has one): it may"},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='AttemptHold',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('attempt', fields.OneToOneField('quizzes.QuizAttempt', source_field='attempt_id', db_constraint=True, to_field='id', related_name='hold', on_delete=OnDelete.CASCADE)),
                ('device', fields.CharField(max_length=32)),
                ('taken_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('takeovers', fields.IntField(default=0)),
            ],
            options={'table': 'quiz_attempt_holds', 'app': 'quiz_integrity', 'pk_attr': 'id', 'table_description': 'The one device that may save answers to (and hand in) an attempt in progress: the'},
            bases=['Model'],
        ),
    ]
