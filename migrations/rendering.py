"""How autogenerate renders our custom column types (shared by env.py and the drift test)."""

from __future__ import annotations

from typing import Any

from api.db import UTCDateTime


def render_item(type_: str, obj: Any, autogen_context: Any) -> str | bool:
    """Render the UTC TypeDecorator as the plain column type it stores."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False
