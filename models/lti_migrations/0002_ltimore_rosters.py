from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('lti', '0001_initial')]

    initial = False

    operations = [
        ops.CreateModel(
            name='LtiContext',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('registration', fields.ForeignKeyField('lti.LtiRegistration', source_field='registration_id', db_constraint=True, to_field='id', related_name='contexts', on_delete=OnDelete.CASCADE)),
                ('context_id', fields.CharField(max_length=255)),
                ('course_id', fields.CharField(max_length=255)),
                ('title', fields.CharField(default='', max_length=255)),
                ('memberships_url', fields.CharField(max_length=2000)),
                ('sync_due_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('synced_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('last_error', fields.CharField(null=True, max_length=500)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'lti_contexts', 'app': 'lti', 'unique_together': (('registration', 'context_id', 'course_id'),), 'pk_attr': 'id', 'table_description': "A platform's course (context) whose links launch into a Coursewire course, with its"},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='LtiRosterEntry',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('context', fields.ForeignKeyField('lti.LtiContext', source_field='context_id', db_constraint=True, to_field='id', related_name='roster', on_delete=OnDelete.CASCADE)),
                ('user', fields.ForeignKeyField('models.User', source_field='user_id', db_constraint=True, to_field='id', related_name='lti_roster_entries', on_delete=OnDelete.CASCADE)),
                ('active', fields.BooleanField(default=True)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'lti_roster_entries', 'app': 'lti', 'unique_together': (('context', 'user'),), 'pk_attr': 'id', 'table_description': 'A user as the platform\'s roster of a context last listed them: active, or gone from'},
            bases=['Model'],
        ),
    ]
