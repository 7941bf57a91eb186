from tortoise import fields, migrations
from tortoise.fields.base import OnDelete
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [('models', '0005_enrol_group_and_self_enrolment')]

    initial = True

    operations = [
        ops.CreateModel(
            name='CourseGroup',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('course', fields.ForeignKeyField('models.Course', source_field='course_id', db_constraint=True, to_field='id', related_name='course_groups', on_delete=OnDelete.CASCADE)),
                ('name', fields.CharField(max_length=64)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'course_groups', 'app': 'groups', 'unique_together': (('course', 'name'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='GroupStaff',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('group', fields.ForeignKeyField('groups.CourseGroup', source_field='group_id', db_constraint=True, to_field='id', related_name='staff', on_delete=OnDelete.CASCADE)),
                ('user', fields.ForeignKeyField('models.User', source_field='user_id', db_constraint=True, to_field='id', related_name='group_assignments', on_delete=OnDelete.CASCADE)),
            ],
            options={'table': 'group_staff', 'app': 'groups', 'unique_together': (('group', 'user'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='GroupDeadline',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('group', fields.ForeignKeyField('groups.CourseGroup', source_field='group_id', db_constraint=True, to_field='id', related_name='deadlines', on_delete=OnDelete.CASCADE)),
                ('block_id', fields.CharField(max_length=255)),
                ('due_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('opens_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('closes_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('set_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'group_deadlines', 'app': 'groups', 'unique_together': (('group', 'block_id'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        # Groups named on memberships before groups were objects become objects.
        ops.RunSQL('INSERT INTO course_groups (course_id, name, created_at) '
                   'SELECT DISTINCT course_id, "group", CURRENT_TIMESTAMP FROM memberships '
                   'WHERE "group" IS NOT NULL',
                   reverse_sql="SELECT 1"),
    ]
