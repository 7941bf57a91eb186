from tortoise import migrations
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [('grading', '0002_extensions_and_grader_limits')]

    initial = False

    operations = [
        # On SQLite, 0002's AlterField of `due_at` rebuilt grading_extensions without its
        # unique (user, course, block_id) (Tortoise's table remake drops unique_together and
        # indexes), so concurrent grants could store two extensions for one block. PostgreSQL
        # kept the constraint, and its index has this name, so there both statements change
        # nothing. Of duplicates, the latest grant is kept (the log keeps them all).
        ops.RunSQL(['DELETE FROM "grading_extensions" WHERE "id" NOT IN '
                    '(SELECT MAX("id") FROM "grading_extensions" '
                    'GROUP BY "user_id", "course_id", "block_id")',
                    'CREATE UNIQUE INDEX IF NOT EXISTS "uid_grading_ext_user_id_acdcd2" '
                    'ON "grading_extensions" ("user_id", "course_id", "block_id")'],
                   reverse_sql="SELECT 1"),
    ]
