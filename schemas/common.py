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
    """House base schema: unknown fields are refused (422 naming them), output keeps field order.

    `unknown = RAISE` is what apispec publishes as `additionalProperties: false`. A class may add
    JSON Schema keywords of its own in `JSON_SCHEMA` (api.extensions publishes them).
    """

    JSON_SCHEMA: dict[str, Any] = {}

    class Meta:
        unknown = ma.RAISE
        ordered = True


class PatchSchema(Schema):
    """A PATCH body: every field optional, but at least one (an empty body or `{}` changes nothing: 422)."""

    JSON_SCHEMA = {"minProperties": 1}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # The top-level fields only: an object nested in the body (a social profile, a media item)
        # is still whole, with its required fields.
        kwargs.setdefault("partial", tuple(self._declared_fields))
        super().__init__(*args, **kwargs)

    @ma.validates_schema(pass_original=True)
    def _not_empty(self, _data: Any, original: Any, **_kw: Any) -> None:
        if not original:
            raise ma.ValidationError("Send at least one field to change.", "_schema")


def clean_text(value: str) -> str:
    """Strip control characters (NUL included) and surrounding white space, normalise to NFC."""
    return unicodedata.normalize("NFC", _CONTROL.sub("", value)).strip()


# The characters `clean_text` removes when they stand alone (control characters and white space, as
# Python's str.strip sees it), spelled out because JSON Schema's `\s` is not Python's.
BLANK = r"\u0000-\u0020\u007f-\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
VISIBLE = f"[^{BLANK}]"


class Text(ma.fields.String):
    """A string cleaned of control characters and trimmed.

    `maxLength` holds for the text as sent (and again once cleaned); a required text (`minLength` 1)
    must contain a visible character, published as the `pattern` VISIBLE so clients know blank text
    is refused.
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        lengths = [v for v in self.validators if isinstance(v, validate.Length)]
        self._max_rules = [validate.Length(max=v.max, error=v.error) for v in lengths if v.max is not None]
        if any(v.min for v in lengths):
            self.metadata = {"pattern": VISIBLE, **self.metadata}

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> str:
        raw = super()._deserialize(value, attr, data, **kwargs)
        for rule in self._max_rules:
            rule(raw)
        return clean_text(raw)


class Bool(ma.fields.Boolean):
    """A JSON boolean, `true` or `false` only (marshmallow's Boolean also takes 0, 1, "yes", "on"...)."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> bool:
        if not isinstance(value, bool):
            raise self.make_error("invalid", input=value)
        return value


MAX_ID = 2**31 - 1


class Id(ma.fields.Integer):
    """A database id: a strict integer in 1..2^31-1 (larger ones cannot exist)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("strict", True)
        super().__init__(**kwargs)
        self.validators.insert(0, validate.Range(min=1, max=MAX_ID))


_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_HOST = rf"(?:(?:{_LABEL}\.)+[A-Za-z0-9-]{{2,}}\.?|{_LABEL}\.?|[0-9]{{1,3}}(?:\.[0-9]{{1,3}}){{3}})"
# An http(s) URL with an ASCII host (IDN in punycode), no user info, printable ASCII after the host;
# `(?![\s\S])` ends it because Python's `$` also matches before a final newline. The server checks
# it too, besides marshmallow's URL validator (which accepts everything this matches), so the
# contract and the server agree in both directions.
HTTP_URL_PATTERN = rf"^https?://{_HOST}(?::[0-9]{{1,5}})?(?:/|[/?][!-~]+)?(?![\s\S])"


class HttpUrl(ma.fields.Url):
    """An absolute http(s) URL, at most 2048 characters."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("schemes", {"http", "https"})
        kwargs.setdefault("require_tld", False)
        kwargs["metadata"] = {"pattern": HTTP_URL_PATTERN, **kwargs.get("metadata", {})}
        super().__init__(**kwargs)
        self.validators.insert(0, validate.Length(max=2048))
        self.validators.append(validate.Regexp(HTTP_URL_PATTERN, error="Use an http(s) URL with a plain host name."))


CURSOR_PATTERN = "^[A-Za-z0-9_-]*$"


def cursor_field() -> ma.fields.String:
    return ma.fields.String(
        load_default=None, validate=[validate.Length(max=512), validate.Regexp(CURSOR_PATTERN)],
        metadata={"description": "Opaque: pass back the `next_cursor` of the previous page unchanged. A cursor "
                                 "the server did not issue for this list is refused with 400 (invalid-cursor)."})


class PageArgsSchema(Schema):
    """?limit=1..100 (default 20)&cursor=<opaque, from next_cursor>"""

    limit = ma.fields.Integer(load_default=20, validate=validate.Range(min=1, max=100))
    cursor = cursor_field()


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
