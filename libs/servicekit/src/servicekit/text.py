"""Strings people type that others read: a name never carries an invisible character.

A bidi override (U+202E) stored in a holder's or a mine's name shows another name than the one
stored, in every list, export and letter; zero-width and other format characters (Unicode
category Cf) and control characters (Cc) make two names look alike or break the files they are
written to. ``Name`` (one line: names, titles) refuses both; ``Text`` (free text that may run
over lines) keeps LF, CR and TAB and refuses the rest. Ordinary CJK, spaces and punctuation
pass. The OpenAPI schema carries the same rule as a ``pattern``."""

import unicodedata
from typing import Annotated

from pydantic import AfterValidator, Field

INVISIBLE = frozenset({"Cc", "Cf"})
TEXT_LAYOUT = frozenset("\n\r\t")


def _ranges(allowed: frozenset[str]) -> str:
    """A regular-expression class body of every Cc/Cf code point of the BMP except ``allowed``
    (above it JSON writes surrogate pairs, which a JavaScript pattern without the ``u`` flag
    reads as broken ranges; the validator itself refuses those few too)."""
    points = [
        c
        for c in range(0x10000)
        if unicodedata.category(chr(c)) in INVISIBLE and chr(c) not in allowed
    ]
    spans: list[list[int]] = []
    for c in points:
        if spans and spans[-1][1] == c - 1:
            spans[-1][1] = c
        else:
            spans.append([c, c])
    # as \uXXXX escapes, which JavaScript's and Python's regular expressions both read
    return "".join(f"\\u{a:04x}" if a == b else f"\\u{a:04x}-\\u{b:04x}" for a, b in spans)


NAME_PATTERN = f"^[^{_ranges(frozenset())}]*$"
TEXT_PATTERN = f"^[^{_ranges(TEXT_LAYOUT)}]*$"


def _checker(allowed: frozenset[str], what: str):
    def check(value: str) -> str:
        for position, char in enumerate(value):
            if unicodedata.category(char) in INVISIBLE and char not in allowed:
                label = unicodedata.name(char, "a control character")
                raise ValueError(
                    f"{what} contains an invisible or control character: U+{ord(char):04X} "
                    f"{label} at position {position}"
                )
        return value

    return check


Name = Annotated[
    str,
    AfterValidator(_checker(frozenset(), "a name")),
    Field(json_schema_extra={"pattern": NAME_PATTERN}),
]
Text = Annotated[
    str,
    AfterValidator(_checker(TEXT_LAYOUT, "the text")),
    Field(json_schema_extra={"pattern": TEXT_PATTERN}),
]
