from tortoise import migrations
from tortoise.migrations import operations as ops
from models.forum import Anonymity, FlagStatus, ModerationMode, PostStatus, ThreadKind
from tortoise.fields.base import OnDelete
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0001_initial')]

    initial = True

    operations = [
        ops.CreateModel(
            name='Ban',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('course', fields.ForeignKeyField('models.Course', source_field='course_id', db_constraint=True, to_field='id', related_name='forum_bans', on_delete=OnDelete.CASCADE)),
                ('user', fields.ForeignKeyField('models.User', source_field='user_id', db_constraint=True, to_field='id', related_name='forum_bans', on_delete=OnDelete.CASCADE)),
                ('until', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('reason', fields.TextField(unique=False)),
                ('created_by', fields.ForeignKeyField('models.User', source_field='created_by_id', null=True, db_constraint=True, to_field='id', related_name='forum_bans_made', on_delete=OnDelete.SET_NULL)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'forum_bans', 'app': 'forum', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ForumSettings',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('course', fields.OneToOneField('models.Course', source_field='course_id', db_constraint=True, to_field='id', related_name='forum_settings', on_delete=OnDelete.CASCADE)),
                ('max_anonymity', fields.CharEnumField(default=Anonymity.PEERS, description='NONE: none\nPEERS: peers\nALL: all', enum_type=Anonymity, max_length=8)),
                ('moderation', fields.CharEnumField(default=ModerationMode.POST, description='POST: post\nPRE: pre', enum_type=ModerationMode, max_length=8)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'forum_settings', 'app': 'forum', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ForumTopic',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('course', fields.ForeignKeyField('models.Course', source_field='course_id', db_constraint=True, to_field='id', related_name='forum_topics', on_delete=OnDelete.CASCADE)),
                ('key', fields.CharField(max_length=100)),
                ('title', fields.CharField(max_length=200)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'forum_topics', 'app': 'forum', 'unique_together': (('course_id', 'key'),), 'pk_attr': 'id', 'table_description': "A category: `general`, or one per `discussion` block's topic_id (made on first use)."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='ModerationAction',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('course', fields.ForeignKeyField('models.Course', source_field='course_id', db_constraint=True, to_field='id', related_name='forum_actions', on_delete=OnDelete.CASCADE)),
                ('actor', fields.ForeignKeyField('models.User', source_field='actor_id', null=True, db_constraint=True, to_field='id', related_name='forum_actions', on_delete=OnDelete.SET_NULL)),
                ('action', fields.CharField(max_length=32)),
                ('post_id', fields.IntField(null=True)),
                ('thread_id', fields.IntField(null=True)),
                ('target_user_id', fields.IntField(null=True)),
                ('reason', fields.TextField(default='', unique=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'forum_moderation_actions', 'app': 'forum', 'pk_attr': 'id', 'table_description': 'The audit log: every moderation action, settings change and identity reveal.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Thread',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('course', fields.ForeignKeyField('models.Course', source_field='course_id', db_constraint=True, to_field='id', related_name='forum_threads', on_delete=OnDelete.CASCADE)),
                ('topic', fields.ForeignKeyField('forum.ForumTopic', source_field='topic_id', db_constraint=True, to_field='id', related_name='threads', on_delete=OnDelete.CASCADE)),
                ('title', fields.CharField(max_length=200)),
                ('kind', fields.CharEnumField(default=ThreadKind.DISCUSSION, description='QUESTION: question\nDISCUSSION: discussion', enum_type=ThreadKind, max_length=16)),
                ('pinned', fields.BooleanField(default=False)),
                ('locked', fields.BooleanField(default=False)),
                ('closed', fields.BooleanField(default=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('last_activity_at', fields.DatetimeField(db_index=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'forum_threads', 'app': 'forum', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Follow',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('thread', fields.ForeignKeyField('forum.Thread', source_field='thread_id', db_constraint=True, to_field='id', related_name='follows', on_delete=OnDelete.CASCADE)),
                ('user', fields.ForeignKeyField('models.User', source_field='user_id', db_constraint=True, to_field='id', related_name='forum_follows', on_delete=OnDelete.CASCADE)),
            ],
            options={'table': 'forum_follows', 'app': 'forum', 'unique_together': (('thread_id', 'user_id'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Post',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('thread', fields.ForeignKeyField('forum.Thread', source_field='thread_id', db_constraint=True, to_field='id', related_name='posts', on_delete=OnDelete.CASCADE)),
                ('parent', fields.ForeignKeyField('forum.Post', source_field='parent_id', null=True, db_constraint=True, to_field='id', related_name='children', on_delete=OnDelete.CASCADE)),
                ('depth', fields.SmallIntField(default=1)),
                ('author', fields.ForeignKeyField('models.User', source_field='author_id', db_constraint=True, to_field='id', related_name='forum_posts', on_delete=OnDelete.CASCADE)),
                ('anonymity', fields.CharEnumField(default=Anonymity.NONE, description='NONE: none\nPEERS: peers\nALL: all', enum_type=Anonymity, max_length=8)),
                ('body_md', fields.TextField(unique=False)),
                ('body_html', fields.TextField(unique=False)),
                ('status', fields.CharEnumField(default=PostStatus.PUBLISHED, description='PENDING: pending\nPUBLISHED: published\nHIDDEN: hidden\nREJECTED: rejected\nDELETED: deleted', enum_type=PostStatus, max_length=12)),
                ('moderation_reason', fields.TextField(null=True, unique=False)),
                ('endorsed', fields.BooleanField(default=False)),
                ('score', fields.IntField(default=0)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('published_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('edited_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('claimed_by', fields.ForeignKeyField('models.User', source_field='claimed_by_id', null=True, db_constraint=True, to_field='id', related_name='forum_claims', on_delete=OnDelete.SET_NULL)),
                ('claimed_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('idempotency_key', fields.CharField(null=True, max_length=64)),
            ],
            options={'table': 'forum_posts', 'app': 'forum', 'unique_together': (('author_id', 'idempotency_key'),), 'pk_attr': 'id', 'table_description': "The thread's opening post (depth 0), a reply (1) or a comment on a reply (2)."},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Flag',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('post', fields.ForeignKeyField('forum.Post', source_field='post_id', db_constraint=True, to_field='id', related_name='flags', on_delete=OnDelete.CASCADE)),
                ('reporter', fields.ForeignKeyField('models.User', source_field='reporter_id', db_constraint=True, to_field='id', related_name='forum_flags', on_delete=OnDelete.CASCADE)),
                ('reason', fields.TextField(unique=False)),
                ('status', fields.CharEnumField(default=FlagStatus.OPEN, description='OPEN: open\nRESOLVED: resolved', enum_type=FlagStatus, max_length=12)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'forum_flags', 'app': 'forum', 'unique_together': (('post_id', 'reporter_id'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='PostRevision',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('post', fields.ForeignKeyField('forum.Post', source_field='post_id', db_constraint=True, to_field='id', related_name='revisions', on_delete=OnDelete.CASCADE)),
                ('body_md', fields.TextField(unique=False)),
                ('body_html', fields.TextField(unique=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'forum_post_revisions', 'app': 'forum', 'pk_attr': 'id', 'table_description': 'An earlier body of a post. Deliberately stores no editor: only authors edit.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Vote',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('post', fields.ForeignKeyField('forum.Post', source_field='post_id', db_constraint=True, to_field='id', related_name='votes', on_delete=OnDelete.CASCADE)),
                ('user', fields.ForeignKeyField('models.User', source_field='user_id', db_constraint=True, to_field='id', related_name='forum_votes', on_delete=OnDelete.CASCADE)),
            ],
            options={'table': 'forum_votes', 'app': 'forum', 'unique_together': (('post_id', 'user_id'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
    ]
