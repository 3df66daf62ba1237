"""Answers that are files: every one names itself in ``Content-Disposition`` (RFC 6266), with
a plain ASCII ``filename`` for old clients and ``filename*`` (RFC 5987, UTF-8) for the real
name, Chinese included."""

import re
import unicodedata
from typing import Literal
from urllib.parse import quote

from fastapi import Response

# what may stand inside the quoted ASCII fallback: no quote, backslash, control or non-ASCII
_UNSAFE_ASCII = re.compile(r'[^\x20-\x7e]|["\\]')


def content_disposition(
    filename: str, disposition: Literal["attachment", "inline"] = "attachment"
) -> str:
    """``attachment; filename="…"; filename*=UTF-8''…``; the ``filename*`` part only when the
    name is not plain ASCII."""
    name = filename.replace("/", "_").replace("\\", "_")
    stem, dot, extension = name.rpartition(".") if "." in name else (name, "", "")
    ascii_stem = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode()
    ascii_stem = _UNSAFE_ASCII.sub("_", ascii_stem).strip()
    if not any(c.isalnum() for c in ascii_stem):
        ascii_stem = "download"
    ascii_name = ascii_stem + dot + _UNSAFE_ASCII.sub("_", extension)
    header = f'{disposition}; filename="{ascii_name}"'
    if ascii_name != name:
        header += f"; filename*=UTF-8''{quote(name, safe='')}"
    return header


def download(
    body: bytes | str,
    *,
    media_type: str,
    filename: str,
    disposition: Literal["attachment", "inline"] = "attachment",
    headers: dict[str, str] | None = None,
) -> Response:
    """A file answer: ``body`` as ``media_type``, named ``filename``."""
    return Response(
        body,
        media_type=media_type,
        headers={
            **(headers or {}),
            "Content-Disposition": content_disposition(filename, disposition),
        },
    )
