"""Message texts: Jinja2 templates per deadline kind in Chinese, with an English fallback.

Lookup for a subscription in language L and a deadline of kind K: ``L/K.txt``, then
``L/_default.txt``, then ``en/_default.txt``. A template renders the title on its first line
and the body below it; kind templates extend their language's default and replace the body."""

from dataclasses import dataclass
from functools import cache

from jinja2 import Environment, PackageLoader, StrictUndefined, Template


@dataclass(frozen=True)
class Message:
    title: str
    body: str


@cache
def _environment() -> Environment:
    return Environment(
        loader=PackageLoader("notifier", "templates"),
        undefined=StrictUndefined,
        autoescape=False,  # plain text: e-mail bodies, inbox titles, JSON string fields
        keep_trailing_newline=False,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,  # the templates ship with the package and never change under it
    )


@cache  # the templates ship with the package: no need to look them up for every alert
def _template(language: str, kind: str) -> Template:
    return _environment().select_template(
        [f"{language}/{kind}.txt", f"{language}/_default.txt", "en/_default.txt"]
    )


def render(*, language: str, kind: str, **context: object) -> Message:
    """``context`` is what the templates read besides the kind: stage, title_zh, due_at,
    subject, days_left (StrictUndefined: a missing one fails loudly)."""
    text = _template(language, kind).render(kind=kind, **context)
    title, _, body = text.strip().partition("\n")
    return Message(title=title.strip()[:500], body=body.strip())
