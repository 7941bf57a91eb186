"""Mails are composed from templates: a one-line subject, a text part as written, an HTML
part escaped like any page."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from mail.compose import compose

URL = "https://courses.example.org/password-reset/confirm?token=abc&x=1"


@pytest.mark.parametrize("name", ["password_reset", "set_password", "verify_email"])
def test_every_account_mail_has_a_subject_a_text_and_an_html_part_with_the_link(name):
    mail = compose(name, user=SimpleNamespace(name="Ada <& Co>"), url=URL)
    assert mail.subject and "\n" not in mail.subject
    assert URL in mail.text and "Ada <& Co>" in mail.text  # plain text: nothing escaped
    assert "Ada &lt;&amp; Co&gt;" in mail.html and "<& Co>" not in mail.html
    assert 'href="https://courses.example.org/password-reset/confirm?token=abc&amp;x=1"' \
        in mail.html
