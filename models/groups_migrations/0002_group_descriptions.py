from tortoise import migrations
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [('groups', '0001_initial')]

    initial = False

    operations = [
        # The models' docstrings (Tortoise's table_description); no change to the tables.
        ops.AlterModelOptions(
            name='GroupDeadline',
            options={'table': 'group_deadlines', 'app': 'groups', 'unique_together': (('group', 'block_id'),), 'pk_attr': 'id', 'table_description': "One group's dates for one block: a due date (graded blocks) and/or a window"},
        ),
        ops.AlterModelOptions(
            name='GroupStaff',
            options={'table': 'group_staff', 'app': 'groups', 'unique_together': (('group', 'user'),), 'pk_attr': 'id', 'table_description': 'A TA or instructor assigned to a group: their gradebook and moderation queue'},
        ),
    ]
