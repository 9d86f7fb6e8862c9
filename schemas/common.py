"""Building blocks shared by the resource schemas."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

import marshmallow as ma
from marshmallow import validate

# C0/C1 control characters except tab, newline and carriage return.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


class Schema(ma.Schema):
    """House base schema: unknown fields are refused (422 naming them), output keeps field order."""

    class Meta:
        unknown = ma.RAISE
        ordered = True


def clean_text(value: str) -> str:
    """Strip control characters (NUL included) and surrounding white space, normalise to NFC."""
    return unicodedata.normalize("NFC", _CONTROL.sub("", value)).strip()


class Text(ma.fields.String):
    """A string cleaned of control characters and trimmed before its length is checked."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        return clean_text(super()._deserialize(value, attr, data, **kwargs))


MAX_ID = 2**31 - 1


class Id(ma.fields.Integer):
    """A database id: a strict integer in 1..2^31-1 (larger ones cannot exist)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("strict", True)
        super().__init__(**kwargs)
        self.validators.insert(0, validate.Range(min=1, max=MAX_ID))


class HttpUrl(ma.fields.Url):
    """An absolute http(s) URL, at most 2048 characters."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("schemes", {"http", "https"})
        kwargs.setdefault("require_tld", False)
        super().__init__(**kwargs)
        self.validators.insert(0, validate.Length(max=2048))


class PageArgsSchema(Schema):
    """?limit=1..100 (default 20)&cursor=<opaque, from next_cursor>"""

    limit = ma.fields.Integer(load_default=20, validate=validate.Range(min=1, max=100))
    cursor = ma.fields.String(load_default=None, validate=validate.Length(max=512))


_page_schemas: dict[str, type[ma.Schema]] = {}


def page_of(item_schema: type[ma.Schema]) -> type[ma.Schema]:
    """`{"items": [...], "next_cursor": "..."|null}` for a given item schema (one class per item)."""
    name = item_schema.__name__.removesuffix("Schema") + "PageSchema"
    if name not in _page_schemas:
        _page_schemas[name] = type(
            name,
            (Schema,),
            {
                "items": ma.fields.List(ma.fields.Nested(item_schema), required=True),
                "next_cursor": ma.fields.String(
                    allow_none=True, required=True, metadata={"description": "Pass as ?cursor= for the next page"}
                ),
            },
        )
    return _page_schemas[name]


class RefSchema(Schema):
    id = ma.fields.Integer(required=True)
    name = ma.fields.String(required=True)


class UserRefSchema(Schema):
    id = ma.fields.Integer(required=True)
    display_name = ma.fields.String(required=True)
