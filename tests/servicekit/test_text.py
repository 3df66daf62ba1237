"""Names refuse invisible and control characters (bidi overrides, zero-width, Cc); free text
keeps its line breaks and tabs but refuses the rest; every request's name and title fields
use the one type, and say so in the OpenAPI document."""

import re

import pytest
from devkit.inprocess import InProcessBroker
from pydantic import BaseModel, Field, ValidationError
from servicekit.app import build_app
from servicekit.services import installed_services
from servicekit.text import NAME_PATTERN, TEXT_PATTERN, Name, Text

NO_DATABASE = "postgresql+asyncpg://postgres@127.0.0.1:1/x"
REFUSED = [
    "二连浩特\u202e矿",  # RIGHT-TO-LEFT OVERRIDE: shows another name than the one stored
    "\u2066先锋\u2069",  # isolates
    "先\u200b锋",  # ZERO WIDTH SPACE
    "\ufeff先锋",  # BOM / zero-width no-break space
    "先锋\x00",
    "先锋\x1b[31m",
    "先锋\u0085",  # NEL (C1 control)
    "先锋\U000e0041",  # a tag character, above the BMP
]
KEPT = [
    "二连浩特市先锋水泥制品有限公司",
    "Xianfeng Co., Ltd. (二连) — 1号·A/B",
    "内蒙古 锡林郭勒盟",
]
# request fields that name or title something (the names people read in lists and files)
NAME_FIELD = re.compile(r"^(name|title|\w+_name|name_(zh|en)|title_(zh|en))$")


class Sample(BaseModel):
    name: Name = Field(max_length=200)
    note: Text | None = None


@pytest.mark.parametrize("value", REFUSED)
def test_a_name_with_an_invisible_or_control_character_is_refused(value):
    with pytest.raises(ValidationError, match="invisible or control character: U\\+"):
        Sample(name=value)
    with pytest.raises(ValidationError):
        Sample(name="ok", note=value)
    assert re.fullmatch(NAME_PATTERN, value) is None or ord(max(value)) > 0xFFFF


@pytest.mark.parametrize("value", KEPT)
def test_ordinary_names_pass(value):
    assert Sample(name=value).name == value
    assert re.fullmatch(NAME_PATTERN, value)


def test_free_text_keeps_line_breaks_and_tabs_a_name_does_not():
    text = "第一条\r\n第二条\t（附件）\n"
    assert Sample(name="x", note=text).note == text
    assert re.fullmatch(TEXT_PATTERN, text)
    with pytest.raises(ValidationError):
        Sample(name="一\n二")


def _string_properties(schema: dict, components: dict, seen: set[str]):
    if "$ref" in schema:
        name = schema["$ref"].split("/")[-1]
        if name in seen:
            return
        seen.add(name)
        schema = components[name]
    for key in ("anyOf", "oneOf", "allOf"):
        for part in schema.get(key, []):
            yield from _string_properties(part, components, seen)
    if "items" in schema:
        yield from _string_properties(schema["items"], components, seen)
    for prop, sub in schema.get("properties", {}).items():
        variants = [sub, *sub.get("anyOf", [])]
        strings = [v for v in variants if v.get("type") == "string"]
        if strings:
            yield prop, strings
        yield from _string_properties(sub, components, seen)


@pytest.mark.parametrize("service", sorted(installed_services()))
def test_every_name_and_title_in_a_request_is_the_checked_type(service):
    spec = installed_services()[service]
    app = build_app(
        spec, spec.settings(database_url=NO_DATABASE), broker=InProcessBroker(), background=False
    )
    doc = app.openapi()
    components = doc["components"]["schemas"]
    unchecked = set()
    for path, item in doc["paths"].items():
        for method, op in item.items():
            for content in op.get("requestBody", {}).get("content", {}).values():
                for prop, variants in _string_properties(content["schema"], components, set()):
                    if NAME_FIELD.match(prop) and any(
                        v.get("pattern") != NAME_PATTERN and "enum" not in v for v in variants
                    ):
                        unchecked.add(f"{method.upper()} {path}: {prop}")
    assert not unchecked, sorted(unchecked)
