from tortoise import fields, migrations
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [('models', '0001_initial')]

    initial = True

    operations = [
        ops.CreateModel(
            name='ReleaseAnnouncement',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('course_id', fields.CharField(max_length=255)),
                ('released_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('announced_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'release_announcements', 'app': 'courseware', 'unique_together': (('course_id', 'released_at'),), 'pk_attr': 'id', 'table_description': 'A start time of a course that passed and was (or is being) announced to open pages.'},
            bases=['Model'],
        ),
    ]
