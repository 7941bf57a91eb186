"""Packages install themselves into a Runtime; nothing registers when a module is imported."""

from __future__ import annotations

import importlib
import pkgutil

import pytest

from app.runtime import Runtime
from grading.block_types import current_block_types
from realtime.resync import RESYNC
from realtime.topics import TOPIC_KINDS, TopicKinds, UnknownTopic, parse_topic
from tests.conftest import INSTALLED_SETTINGS

PACKAGES = ("accounts", "announcements", "courses", "courseware", "forum", "grading",
            "peer_review", "quizzes")


class U:
    id = 1


def test_importing_every_package_registers_nothing():
    for package in PACKAGES:
        module = importlib.import_module(package)
        for info in pkgutil.walk_packages(module.__path__, f"{package}."):
            if ".sandbox." not in info.name and not info.name.endswith("example_grader"):
                importlib.import_module(info.name)
    fresh = TopicKinds()
    assert "user" in fresh and "thread" not in fresh and "course" not in fresh


def test_each_runtime_holds_its_own_registries():
    one, two = Runtime(INSTALLED_SETTINGS), Runtime(INSTALLED_SETTINGS)
    assert one.topics is not two.topics and one.block_types is not two.block_types
    for kind in ("course", "course_forum", "course_staff", "thread", "forum_list",
                 "submission", "grades", "peer_review", "studio", "unit", "quiz_proctor"):
        assert kind in one.topics, kind
    assert one.block_types.get("peer_review") is not None
    assert one.block_types.get("quiz") is not None
    assert len(one.resync.for_kind("course")) == 2  # announcements and the outline
    one.bind()
    assert TOPIC_KINDS.get() is one.topics and RESYNC.get() is one.resync
    assert current_block_types() is one.block_types


def test_without_installed_kinds_a_domain_topic_is_unknown():
    TOPIC_KINDS.bind(TopicKinds())
    with pytest.raises(UnknownTopic):
        parse_topic("thread:5", U())
    assert parse_topic("user:me", U()).name == "user:1"


def test_a_route_of_every_package_is_installed():
    paths = {getattr(r, "path", "") for r in Runtime(INSTALLED_SETTINGS).routes}
    for path in ("/login", "/courses/{course_id}/forum", "/courses/{course_id}/announcements",
                 "/courses/{course_id}/peer-review/{block_id}", "/courses/new",
                 "/api/v1/courses/{course_id}/quizzes/{block_id}/attempts"):
        assert any(p.startswith(path) for p in paths), path
