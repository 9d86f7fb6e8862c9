"""When two names are "the same name": one rule in Python, so both databases agree.

SQL `lower()` cannot be that rule: SQLite folds only ASCII letters, so "Østerbro" and
"østerbro" were two names there and one on PostgreSQL. `comparable()` is computed here and
stored beside the name (`teams.name_key`), where a unique constraint enforces it.
"""

from __future__ import annotations

import unicodedata


def comparable(name: str) -> str:
    """The form two names share when a person would call them the same: compatibility-normalised
    (NFKC: "ﬁ" is "fi", a full-width "Ａ" is "A"), case-folded (Ø/ø, ß/ss), whitespace collapsed."""
    folded = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", name).casefold())
    return " ".join(folded.split())
