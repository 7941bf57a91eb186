from tortoise import migrations
from tortoise.migrations import operations as ops
from models.quiz_audit import AttemptAction
from orjson import loads
from tortoise.fields.base import OnDelete
from tortoise.fields.data import JSON_DUMPS
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0003_outbox_and_idempotency'), ('quizzes', '0001_initial')]

    initial = True

    operations = [
        ops.CreateModel(
            name='QuizAttemptEvent',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('attempt', fields.ForeignKeyField('quizzes.QuizAttempt', source_field='attempt_id', db_constraint=True, to_field='id', related_name='history', on_delete=OnDelete.CASCADE)),
                ('action', fields.CharEnumField(description='STARTED: started\nSUBMITTED: submitted\nSUBMITTED_AT_DEADLINE: submitted_at_deadline\nGRADED: graded\nREOPENED: reopened\nEXTENDED: extended\nACCOMMODATION_CHANGED: accommodation_changed', enum_type=AttemptAction, max_length=32)),
                ('actor', fields.ForeignKeyField('models.User', source_field='actor_id', null=True, db_constraint=True, to_field='id', related_name='quiz_attempt_actions', on_delete=OnDelete.SET_NULL)),
                ('at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('deadline_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('detail', fields.JSONField(null=True, encoder=JSON_DUMPS, decoder=loads)),
            ],
            options={'table': 'quiz_attempt_events', 'app': 'quiz_audit', 'indexes': [Index(fields=['attempt_id', 'id'])], 'pk_attr': 'id', 'table_description': 'One change of one attempt: what, by whom (None: the server), when, the deadline it'},
            bases=['Model'],
        ),
    ]
