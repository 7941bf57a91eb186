from tortoise import fields, migrations
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [('models', '0001_initial')]

    initial = True

    operations = [
        ops.CreateModel(
            name='PublishedAnnouncement',
            fields=[
                ('course_id', fields.CharField(primary_key=True, unique=True, db_index=True, max_length=255)),
                ('published_version', fields.CharField(null=True, max_length=64)),
                ('announced_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'published_announcements', 'app': 'content_announcements', 'pk_attr': 'course_id', 'table_description': "A course's last announced published version (NULL: nothing announced yet)."},
            bases=['Model'],
        ),
    ]
