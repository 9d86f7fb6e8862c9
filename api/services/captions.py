"""Is a share's caption the employee's own words?

Rule: after normalising (case-folded; URLs, @mentions, #hashtags, emoji, punctuation and
extra white space removed), the caption must have at least MIN_WORDS words and be less
than SIMILARITY_LIMIT similar (difflib ratio over words) to every suggested caption of the
post. So pasting the suggestion, adding an emoji or a hashtag, changing case or swapping
a word or two is not "personal"; a sentence in one's own words is.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from difflib import SequenceMatcher

MIN_WORDS = 3
SIMILARITY_LIMIT = 0.8

_URL = re.compile(r"https?://\S+|www\.\S+", re.I)
_TAG = re.compile(r"[@#]\w+")


def normalise(text: str) -> list[str]:
    text = _URL.sub(" ", text)
    text = _TAG.sub(" ", text)
    kept = "".join(ch if unicodedata.category(ch)[0] in ("L", "N") else " " for ch in text.casefold())
    return kept.split()


def similarity(a: list[str], b: list[str]) -> float:
    if not a and not b:
        return 1.0
    return SequenceMatcher(None, a, b, autojunk=False).ratio()


def is_personal(caption: str | None, suggested: Iterable[str]) -> bool:
    words = normalise(caption or "")
    if len(words) < MIN_WORDS:
        return False
    return all(similarity(words, normalise(s)) < SIMILARITY_LIMIT for s in suggested)
