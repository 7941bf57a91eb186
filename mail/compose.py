"""A mail is composed from two templates of the same name: `mail/<name>.txt` (its
`subject` block and its `text` block) and `mail/<name>.html` (the HTML part, escaped like
any page). The templates live with the package that sends the mail."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from core.i18n import use_language
from core.templating import env


@dataclass(frozen=True)
class Composed:
    subject: str
    text: str
    html: str


def _block(template_name: str, block: str, context: dict[str, Any]) -> str:
    template = env.get_template(template_name)
    return "".join(template.blocks[block](template.new_context(context)))


def compose(name: str, **context: Any) -> Composed:
    """Render mail `name` for `context`: subject (one line), text and HTML parts."""
    subject = " ".join(_block(f"mail/{name}.txt", "subject", context).split())
    return Composed(subject=subject, text=_block(f"mail/{name}.txt", "text", context).strip()
                    + "\n", html=env.get_template(f"mail/{name}.html").render(**context))


class Recipient(Protocol):
    language: str | None


def compose_for(user: Recipient, name: str, **context: Any) -> Composed:
    """`compose` in `user`'s language (their setting; English when they have none), with
    `user` in the context: a mail is read by its recipient, not by whoever caused it."""
    with use_language(user.language):
        return compose(name, user=user, **context)
