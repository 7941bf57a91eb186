import pytest

from realtime.topics import UnknownTopic, parse_topic, public_name


class U:
    id = 7


@pytest.mark.parametrize("raw,kind,key,name", [
    ("user:me", "user", "7", "user:7"),
    ("course:course-v1:A+B+C", "course", "course-v1:A+B+C", "course:course-v1:A+B+C"),
    ("course:course-v1:A+B+C:forum", "course_forum", "course-v1:A+B+C",
     "course:course-v1:A+B+C:forum"),
    ("course:course-v1:A+B+C:staff", "course_staff", "course-v1:A+B+C",
     "course:course-v1:A+B+C:staff"),
])
def test_topics_parse_to_kind_and_key(raw, kind, key, name):
    topic = parse_topic(raw, U())
    assert (topic.kind, topic.key, topic.name) == (kind, key, name)


@pytest.mark.parametrize("raw", ["", "nope", "bogus:1", 42, None, "x" * 300])
def test_unknown_topics_are_rejected(raw):
    with pytest.raises(UnknownTopic):
        parse_topic(raw, U())


def test_a_users_own_topic_is_named_back_as_user_me():
    assert public_name("user:7") == "user:me"
