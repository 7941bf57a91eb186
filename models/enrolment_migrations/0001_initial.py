from tortoise import fields, migrations
from tortoise.fields.base import OnDelete
from tortoise.migrations import operations as ops

from models.courses import Role


class Migration(migrations.Migration):
    dependencies = [('models', '0003_outbox_and_idempotency')]

    initial = True

    operations = [
        ops.CreateModel(
            name='Invite',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('code', fields.CharField(max_length=64, unique=True)),
                ('course', fields.ForeignKeyField('models.Course', source_field='course_id', db_constraint=True, to_field='id', related_name='invites', on_delete=OnDelete.CASCADE)),
                ('role', fields.CharEnumField(description='STUDENT: student\nTA: ta\nINSTRUCTOR: instructor', enum_type=Role, max_length=16)),
                ('max_uses', fields.IntField(null=True)),
                ('uses', fields.IntField(default=0)),
                ('expires_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('revoked', fields.BooleanField(default=False)),
                ('created_by', fields.ForeignKeyField('models.User', source_field='created_by_id', null=True, db_constraint=True, to_field='id', related_name='invites_made', on_delete=OnDelete.SET_NULL)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'course_invites', 'app': 'enrolment', 'pk_attr': 'id'},
            bases=['Model'],
        ),
    ]
