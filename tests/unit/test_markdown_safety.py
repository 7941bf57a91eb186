from html.parser import HTMLParser

import pytest

from core.markdown import render_markdown

XSS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "<svg onload=alert(1)>",
    '<a href="javascript:alert(1)">x</a>',
    "![x](javascript:alert(1))",
    "![x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    '<div style="background:url(javascript:alert(1))">x</div>',
    "<iframe src=//evil.example></iframe>",
    "<<script>script>alert(1)<</script>/script>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
]


class Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, attrs))


def elements(html: str):
    parser = Elements()
    parser.feed(html)
    return parser.tags


@pytest.mark.parametrize("source", XSS)
def test_markdown_never_emits_active_content(source):
    for tag, attrs in elements(render_markdown(source)):
        assert tag not in {"script", "svg", "iframe", "style", "math", "object", "embed"}
        for name, value in attrs:
            assert not name.startswith("on")
            assert name != "style"
            if name in {"href", "src"}:
                assert (value or "").lower().startswith(("http:", "https:", "mailto:", "x"))


def test_markdown_keeps_formatting_and_makes_links_safe():
    html = render_markdown("**bold** and [site](https://example.org)")
    assert "<strong>bold</strong>" in html
    assert 'href="https://example.org"' in html
    assert "noopener" in html
