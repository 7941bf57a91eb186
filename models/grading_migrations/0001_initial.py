from tortoise import migrations
from tortoise.migrations import operations as ops
from models.grading import Status
from orjson import loads
from tortoise.fields.base import OnDelete
from tortoise.fields.data import JSON_DUMPS
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('models', '0001_initial')]

    initial = True

    operations = [
        ops.CreateModel(
            name='Extension',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('user', fields.ForeignKeyField('models.User', source_field='user_id', db_constraint=True, to_field='id', related_name='extensions', on_delete=OnDelete.CASCADE)),
                ('course', fields.ForeignKeyField('models.Course', source_field='course_id', db_constraint=True, to_field='id', related_name='extensions', on_delete=OnDelete.CASCADE)),
                ('block_id', fields.CharField(max_length=255)),
                ('due_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('reason', fields.TextField(default='', unique=False)),
                ('granted_by', fields.ForeignKeyField('models.User', source_field='granted_by_id', null=True, db_constraint=True, to_field='id', related_name='extensions_granted', on_delete=OnDelete.SET_NULL)),
                ('granted_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'grading_extensions', 'app': 'grading', 'unique_together': (('user', 'course', 'block_id'),), 'pk_attr': 'id', 'table_description': 'A later deadline for one student on one block, granted by staff.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='GradeOverride',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('user', fields.ForeignKeyField('models.User', source_field='user_id', db_constraint=True, to_field='id', related_name='grade_overrides', on_delete=OnDelete.CASCADE)),
                ('course', fields.ForeignKeyField('models.Course', source_field='course_id', db_constraint=True, to_field='id', related_name='grade_overrides', on_delete=OnDelete.CASCADE)),
                ('block_id', fields.CharField(max_length=255)),
                ('points', fields.FloatField(null=True)),
                ('previous_points', fields.FloatField(null=True)),
                ('reason', fields.TextField(unique=False)),
                ('by', fields.ForeignKeyField('models.User', source_field='by_id', null=True, db_constraint=True, to_field='id', related_name='overrides_made', on_delete=OnDelete.SET_NULL)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'grading_overrides', 'app': 'grading', 'indexes': [Index(fields=['course_id', 'user_id', 'block_id'])], 'pk_attr': 'id', 'table_description': 'A manual grade by staff. Rows are never updated: the newest per block wins, and the'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Submission',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('user', fields.ForeignKeyField('models.User', source_field='user_id', db_constraint=True, to_field='id', related_name='submissions', on_delete=OnDelete.CASCADE)),
                ('course', fields.ForeignKeyField('models.Course', source_field='course_id', db_constraint=True, to_field='id', related_name='submissions', on_delete=OnDelete.CASCADE)),
                ('block_id', fields.CharField(max_length=255)),
                ('block_type', fields.CharField(max_length=32)),
                ('attempt', fields.IntField()),
                ('answer', fields.JSONField(encoder=JSON_DUMPS, decoder=loads)),
                ('status', fields.CharEnumField(default=Status.QUEUED, db_index=True, description='QUEUED: queued\nGRADING: grading\nGRADED: graded\nERROR: error\nAWAITING_PEER_REVIEW: awaiting_peer_review', enum_type=Status, max_length=32)),
                ('points', fields.FloatField(null=True)),
                ('raw_points', fields.FloatField(null=True)),
                ('max_points', fields.FloatField()),
                ('feedback', fields.JSONField(null=True, encoder=JSON_DUMPS, decoder=loads)),
                ('error_message', fields.TextField(null=True, unique=False)),
                ('late', fields.BooleanField(default=False)),
                ('late_penalty', fields.FloatField(default=0.0)),
                ('grading_payload', fields.JSONField(null=True, encoder=JSON_DUMPS, decoder=loads)),
                ('grader_runs', fields.IntField(default=0)),
                ('submitted_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('enqueued_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('grading_started_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('graded_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'grading_submissions', 'app': 'grading', 'unique_together': (('user', 'course', 'block_id', 'attempt'),), 'indexes': [Index(fields=['course_id', 'block_id']), Index(fields=['course_id', 'user_id']), Index(fields=['status', 'enqueued_at'])], 'pk_attr': 'id', 'table_description': 'One attempt at one block. Committed before any grading happens.'},
            bases=['Model'],
        ),
    ]
