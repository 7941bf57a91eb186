"""A video block plays a course file by its path on the site, so the demo's videos work
on whatever host and port serve the course; other URLs stay http(s) only."""

import pytest

from content_store.blocks import block_type
from content_store.errors import BlockValidationError

VIDEO = block_type("video")


@pytest.mark.parametrize("url", [
    "/courses/course-v1:Coursewire+PY101+2026/assets/running-your-first-program.webm",
    "https://media.example.org/intro.mp4",
])
def test_video_urls_may_be_site_paths_or_http(url):
    assert VIDEO.clean({"title": "Intro", "url": url})["url"] == url


@pytest.mark.parametrize("url", ["//evil.example/x.mp4", "javascript:alert(1)",
                                 "/assets/with space.webm", "ftp://x.org/v.mp4", "intro.webm"])
def test_other_video_urls_are_refused(url):
    with pytest.raises(BlockValidationError):
        VIDEO.clean({"title": "Intro", "url": url})
