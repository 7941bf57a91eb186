from tortoise import migrations
from tortoise.migrations import operations as ops
from models.peer_review import AssignmentStatus, Kind, ResponseStatus
from orjson import loads
from tortoise.fields.base import OnDelete
from tortoise.fields.data import JSON_DUMPS
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('grading', '0001_initial'), ('models', '0001_initial')]

    initial = True

    operations = [
        ops.CreateModel(
            name='PeerResponse',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('submission', fields.OneToOneField('grading.Submission', source_field='submission_id', db_constraint=True, to_field='id', related_name='peer_response', on_delete=OnDelete.CASCADE)),
                ('course', fields.ForeignKeyField('models.Course', source_field='course_id', db_constraint=True, to_field='id', related_name='peer_responses', on_delete=OnDelete.CASCADE)),
                ('block_id', fields.CharField(max_length=255)),
                ('author', fields.ForeignKeyField('models.User', source_field='author_id', db_constraint=True, to_field='id', related_name='peer_responses', on_delete=OnDelete.CASCADE)),
                ('text', fields.TextField(unique=False)),
                ('file_name', fields.CharField(null=True, max_length=255)),
                ('file_type', fields.CharField(null=True, max_length=100)),
                ('file_data', fields.BinaryField(null=True)),
                ('status', fields.CharEnumField(default=ResponseStatus.ACTIVE, description='ACTIVE: active\nCANCELLED: cancelled', enum_type=ResponseStatus, max_length=16)),
                ('load', fields.IntField(default=0)),
                ('received', fields.IntField(default=0)),
                ('submitted_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('points', fields.FloatField(null=True)),
                ('per_criterion', fields.JSONField(null=True, encoder=JSON_DUMPS, decoder=loads)),
                ('scored_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('cancelled_reason', fields.TextField(null=True, unique=False)),
            ],
            options={'table': 'peer_responses', 'app': 'peer_review', 'indexes': [Index(fields=['course_id', 'block_id', 'status', 'load', 'submitted_at']), Index(fields=['course_id', 'block_id', 'author_id'])], 'pk_attr': 'id', 'table_description': "A student's response to a peer_review block: one per grading.Submission."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='PeerAssignment',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('response', fields.ForeignKeyField('peer_review.PeerResponse', source_field='response_id', db_constraint=True, to_field='id', related_name='assignments', on_delete=OnDelete.CASCADE)),
                ('reviewer', fields.ForeignKeyField('models.User', source_field='reviewer_id', db_constraint=True, to_field='id', related_name='peer_assignments', on_delete=OnDelete.CASCADE)),
                ('course', fields.ForeignKeyField('models.Course', source_field='course_id', db_constraint=True, to_field='id', related_name='peer_assignments', on_delete=OnDelete.CASCADE)),
                ('block_id', fields.CharField(max_length=255)),
                ('kind', fields.CharEnumField(default=Kind.PEER, description='PEER: peer\nSELF: self\nSTAFF: staff', enum_type=Kind, max_length=8)),
                ('status', fields.CharEnumField(default=AssignmentStatus.OPEN, description='OPEN: open\nDONE: done\nEXPIRED: expired\nCANCELLED: cancelled', enum_type=AssignmentStatus, max_length=16)),
                ('leased_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('expires_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('completed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('scores', fields.JSONField(null=True, encoder=JSON_DUMPS, decoder=loads)),
                ('criterion_feedback', fields.JSONField(null=True, encoder=JSON_DUMPS, decoder=loads)),
                ('feedback', fields.TextField(default='', unique=False)),
                ('points', fields.FloatField(null=True)),
            ],
            options={'table': 'peer_assignments', 'app': 'peer_review', 'unique_together': (('response', 'reviewer'),), 'indexes': [Index(fields=['course_id', 'block_id', 'reviewer_id', 'status']), Index(fields=['status', 'expires_at'])], 'pk_attr': 'id', 'table_description': "One reviewer's work on one response: a lease while open, an assessment when done."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='PeerReviewer',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('course', fields.ForeignKeyField('models.Course', source_field='course_id', db_constraint=True, to_field='id', related_name='peer_reviewers', on_delete=OnDelete.CASCADE)),
                ('block_id', fields.CharField(max_length=255)),
                ('reviewer', fields.ForeignKeyField('models.User', source_field='reviewer_id', db_constraint=True, to_field='id', related_name='peer_queue_states', on_delete=OnDelete.CASCADE)),
                ('waiting_since', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('turns', fields.IntField(default=0)),
            ],
            options={'table': 'peer_reviewers', 'app': 'peer_review', 'unique_together': (('course', 'block_id', 'reviewer'),), 'indexes': [Index(fields=['course_id', 'block_id', 'waiting_since'])], 'pk_attr': 'id', 'table_description': "A reviewer's place in one block's queue. Every lease for a reviewer first updates"},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ReviewGroup',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('course', fields.ForeignKeyField('models.Course', source_field='course_id', db_constraint=True, to_field='id', related_name='review_groups', on_delete=OnDelete.CASCADE)),
                ('user', fields.ForeignKeyField('models.User', source_field='user_id', db_constraint=True, to_field='id', related_name='review_groups', on_delete=OnDelete.CASCADE)),
                ('name', fields.CharField(max_length=100)),
            ],
            options={'table': 'peer_review_groups', 'app': 'peer_review', 'unique_together': (('course', 'user'),), 'pk_attr': 'id', 'table_description': 'Optional group membership: scheduled allocation never pairs members of one group.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ScheduledAllocation',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('course', fields.ForeignKeyField('models.Course', source_field='course_id', db_constraint=True, to_field='id', related_name='peer_allocations', on_delete=OnDelete.CASCADE)),
                ('block_id', fields.CharField(max_length=255)),
                ('run_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('reviews_per_response', fields.IntField()),
                ('exclude_same_group', fields.BooleanField(default=True)),
                ('ran_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('allocated', fields.IntField(default=0)),
                ('created_by', fields.ForeignKeyField('models.User', source_field='created_by_id', null=True, db_constraint=True, to_field='id', related_name='peer_allocations_made', on_delete=OnDelete.SET_NULL)),
            ],
            options={'table': 'peer_allocations', 'app': 'peer_review', 'unique_together': (('course', 'block_id'),), 'pk_attr': 'id', 'table_description': 'Moodle workshop style: at `run_at` every response gets `reviews_per_response`'},
            bases=['Model'],
        ),
    ]
