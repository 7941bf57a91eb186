from tortoise import migrations
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [('enrolment', '0001_initial')]

    initial = False

    operations = [
        # The model's docstring (Tortoise's table_description); no change to the table.
        ops.AlterModelOptions(
            name='Invite',
            options={'table': 'course_invites', 'app': 'enrolment', 'pk_attr': 'id', 'table_description': 'A link that enrols whoever accepts it, with a role, until used up, expired or revoked.'},
        ),
    ]
