from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('grading', '0001_initial'), ('models', '0001_initial')]

    initial = False

    operations = [
        ops.CreateModel(
            name='ExtensionLog',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('course', fields.ForeignKeyField('models.Course', source_field='course_id', db_constraint=True, to_field='id', related_name='extension_logs', on_delete=OnDelete.CASCADE)),
                ('user', fields.ForeignKeyField('models.User', source_field='user_id', db_constraint=True, to_field='id', related_name='extension_logs', on_delete=OnDelete.CASCADE)),
                ('block_id', fields.CharField(max_length=255)),
                ('action', fields.CharField(max_length=16)),
                ('due_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('extra_attempts', fields.IntField(default=0)),
                ('reason', fields.TextField(default='', unique=False)),
                ('by', fields.ForeignKeyField('models.User', source_field='by_id', null=True, db_constraint=True, to_field='id', related_name='extension_actions', on_delete=OnDelete.SET_NULL)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'grading_extension_logs', 'app': 'grading', 'indexes': [Index(fields=['course_id', 'id'])], 'pk_attr': 'id', 'table_description': 'Audit trail of extensions: one row per grant, change or revocation, never updated.'},
            bases=['Model'],
        ),
        ops.AlterModelOptions(
            name='Extension',
            options={'table': 'grading_extensions', 'app': 'grading', 'unique_together': (('user', 'course', 'block_id'),), 'pk_attr': 'id', 'table_description': 'A later deadline and/or extra attempts for one student on one block, granted by'},
        ),
        ops.AlterField(
            model_name='Extension',
            name='due_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
        ops.AddField(
            model_name='Extension',
            name='extra_attempts',
            field=fields.IntField(default=0),
        ),
        ops.AddField(
            model_name='Submission',
            name='grader_accepted_at',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
    ]
