from tortoise import migrations
from tortoise.migrations import operations as ops
from models.quizzes import AttemptStatus
from orjson import loads
from tortoise.fields.base import OnDelete
from tortoise.fields.data import JSON_DUMPS
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0003_outbox_and_idempotency')]

    initial = True

    operations = [
        ops.CreateModel(
            name='QuizAccommodation',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('user', fields.ForeignKeyField('models.User', source_field='user_id', db_constraint=True, to_field='id', related_name='quiz_accommodations', on_delete=OnDelete.CASCADE)),
                ('course', fields.ForeignKeyField('models.Course', source_field='course_id', db_constraint=True, to_field='id', related_name='quiz_accommodations', on_delete=OnDelete.CASCADE)),
                ('block_id', fields.CharField(max_length=255)),
                ('extra_minutes', fields.IntField(default=0)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'quiz_accommodations', 'app': 'quizzes', 'unique_together': (('user', 'course', 'block_id'),), 'pk_attr': 'id', 'table_description': 'Extra time for one student on one quiz, set by an instructor.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='QuizAttempt',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('user', fields.ForeignKeyField('models.User', source_field='user_id', db_constraint=True, to_field='id', related_name='quiz_attempts', on_delete=OnDelete.CASCADE)),
                ('course', fields.ForeignKeyField('models.Course', source_field='course_id', db_constraint=True, to_field='id', related_name='quiz_attempts', on_delete=OnDelete.CASCADE)),
                ('block_id', fields.CharField(max_length=255)),
                ('number', fields.IntField()),
                ('seed', fields.BigIntField()),
                ('paper', fields.JSONField(encoder=JSON_DUMPS, decoder=loads)),
                ('status', fields.CharEnumField(default=AttemptStatus.IN_PROGRESS, description='IN_PROGRESS: in_progress\nSUBMITTED: submitted\nGRADED: graded', enum_type=AttemptStatus, max_length=16)),
                ('started_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('deadline_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('last_saved_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('submitted_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('submitted_by_server', fields.BooleanField(default=False)),
                ('submission_id', fields.IntField(null=True)),
                ('points', fields.FloatField(null=True)),
                ('max_points', fields.FloatField()),
                ('results', fields.JSONField(null=True, encoder=JSON_DUMPS, decoder=loads)),
            ],
            options={'table': 'quiz_attempts', 'app': 'quizzes', 'unique_together': (('user', 'course', 'block_id', 'number'),), 'indexes': [Index(fields=['status', 'deadline_at']), Index(fields=['course_id', 'block_id'])], 'pk_attr': 'id', 'table_description': "One student's attempt at one quiz: the paper drawn for it (questions included, so a"},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='QuizAnswer',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('attempt', fields.ForeignKeyField('quizzes.QuizAttempt', source_field='attempt_id', db_constraint=True, to_field='id', related_name='answers', on_delete=OnDelete.CASCADE)),
                ('question_id', fields.CharField(max_length=255)),
                ('answer', fields.JSONField(encoder=JSON_DUMPS, decoder=loads)),
                ('saved_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'quiz_answers', 'app': 'quizzes', 'unique_together': (('attempt', 'question_id'),), 'pk_attr': 'id', 'table_description': 'The latest saved answer to one question of an attempt (autosave overwrites it).'},
            bases=['Model'],
        ),
    ]
