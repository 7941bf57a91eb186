"""Forum Markdown must not load images from other servers (tracking pixels that tell a
stranger who read a post, and when): they become links. Course-file images stay images."""

from __future__ import annotations

from core.markdown import render_markdown


def test_remote_images_in_posts_become_links():
    html = render_markdown("![pixel](https://tracker.example/p.gif) and "
                           "![x](//tracker.example/q.gif)", remote_images=False)
    assert "<img" not in html
    assert 'href="https://tracker.example/p.gif"' in html and ">pixel</a>" in html


def test_course_file_images_in_posts_stay_images():
    html = render_markdown("![plot](/courses/course-v1:A+B+C/files/plot.png)",
                           remote_images=False)
    assert '<img src="/courses/course-v1:A+B+C/files/plot.png" alt="plot"' in html


def test_course_content_keeps_remote_images():
    assert "<img" in render_markdown("![d](https://example.org/d.png)")


async def test_a_forum_post_is_stored_without_remote_images(db):
    from forum.threads import create_thread
    from tests.support.people import course_with, person
    teacher = await person("t@example.org", creator=True)
    course = await course_with(teacher, {})
    thread = await create_thread(teacher, course.id, "Q",
                                         "![p](https://tracker.example/p.gif)", "none")
    from models.forum import Post
    root = await Post.get(thread_id=thread.id, depth=0)
    assert "<img" not in root.body_html and "tracker.example" in root.body_html


async def test_posts_stored_before_the_rule_show_remote_images_as_links(db):
    """Posts (and their held edits and history) stored before forum Markdown turned remote
    images into links still had <img> tags loading from anywhere; they are relinked when
    shown, wherever they are shown (pages, API, live frames all go through presenters)."""
    from forum.access import viewer_in
    from forum.posts import edit_post
    from forum.presenters import post_json, present_post, revision_views
    from forum.threads import create_thread
    from models.forum import Post, PostRevision
    from tests.support.people import course_with, person
    teacher = await person("t@example.org", creator=True)
    course = await course_with(teacher, {})
    thread = await create_thread(teacher, course.id, "Q", "old", "none")
    old = render_markdown("![p](https://tracker.example/p.gif) ![ok](/courses/c/files/a.png)")
    await Post.filter(thread_id=thread.id).update(body_html=old, pending_body_html=old)
    root = await Post.get(thread_id=thread.id, depth=0).prefetch_related("author", "thread")
    viewer = await viewer_in(teacher, course.id)
    shown = post_json(present_post(root, viewer))
    for html in (shown["body_html"], shown["pending_edit"]["body_html"]):
        assert 'src="https://tracker.example' not in html
        assert 'href="https://tracker.example/p.gif"' in html
        assert '<img src="/courses/c/files/a.png"' in html  # a course file stays an image
    await edit_post(teacher, root.id, "new")
    await PostRevision.filter(post_id=root.id).update(body_html=old)
    history = revision_views(root, viewer, list(await PostRevision.filter(post_id=root.id)))
    assert "tracker.example" in history[0]["body_html"]
    assert 'src="https://tracker.example' not in history[0]["body_html"]
