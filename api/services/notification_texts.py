"""The words of the notifications Stafet writes itself (inbox and push), in Danish and English.

A `Text` names a message and its fields; `inbox.notify` renders it in the recipient's language
(`users.locale`, else the organisation's DEFAULT_LANGUAGE), so one challenge start reaches a Danish
colleague in Danish and an English one in English. A field may itself be a `Text` (rendered in the
same language). Words a person wrote (a lead's nudge, a badge's or reward's name) stay as written.
Adding a message means adding it in both languages (a test checks).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

LANGUAGES = ("da", "en")

TEXTS: dict[str, dict[str, str]] = {
    "with_note": {"en": "{text} {note}", "da": "{text} {note}"},
    "time": {"en": "{moment:%d %b %H:%M}", "da": "{moment:%d.%m. %H:%M}"},
    "challenge.started.title": {"en": "Challenge on: {title}", "da": "Udfordringen er i gang: {title}"},
    "challenge.started.body": {"en": "Until {ends} UTC — {prize}", "da": "Indtil {ends} UTC — {prize}"},
    "challenge.prize": {"en": "{points} points for the winners.", "da": "{points} point til vinderne."},
    "challenge.prize.unapproved": {
        "en": "{points} points for the winners once an admin approves the prize.",
        "da": "{points} point til vinderne, når en administrator har godkendt præmien."},
    "challenge.ending.title": {"en": "24 hours left: {title}", "da": "24 timer tilbage: {title}"},
    "challenge.ending.body": {"en": "One last push!", "da": "Et sidste skub!"},
    "challenge.results.title": {"en": "Results: {title}", "da": "Resultater: {title}"},
    "challenge.results.won": {"en": "You won {points} points!", "da": "Du vandt {points} point!"},
    "challenge.results.unapproved": {
        "en": "The prize was not approved by an admin, so no points were paid. See the final standings.",
        "da": "Præmien blev ikke godkendt af en administrator, så der blev ikke udbetalt point. Se slutstillingen."},
    "challenge.results.standings": {"en": "See the final standings.", "da": "Se slutstillingen."},
    "badge.new.title": {"en": "New badge: {name}", "da": "Nyt mærke: {name}"},
    "join.asks.title": {"en": "{name} asks to join {team}", "da": "{name} vil gerne være med i {team}"},
    "join.asks.body": {"en": "Approve or decline in the console under Join codes.",
                       "da": "Godkend eller afvis i konsollen under Join codes."},
    "join.approved.title": {"en": "Welcome to {team}", "da": "Velkommen til {team}"},
    "join.approved.body": {"en": "You can sign in to Stafet now.", "da": "Du kan logge ind i Stafet nu."},
    "digest.title": {"en": "Stories worth sharing this week", "da": "Historier, der er værd at dele i denne uge"},
    "inactive.title": {"en": "We miss your stories", "da": "Vi savner dine historier"},
    "inactive.body": {"en": "New stories are waiting in your feed — share one in your own words.",
                      "da": "Der venter nye historier i dit feed — del en med dine egne ord."},
    "reward.approved.title": {"en": "Your reward is approved", "da": "Din belønning er godkendt"},
    "reward.approved.body": {"en": "{name} is on its way.", "da": "{name} er på vej."},
    "reward.fulfilled.title": {"en": "Enjoy your reward", "da": "God fornøjelse med din belønning"},
    "reward.fulfilled.body": {"en": "{name} has been handed over.", "da": "{name} er udleveret."},
    "reward.rejected.title": {"en": "Your redemption was declined", "da": "Din indløsning blev afvist"},
    "reward.rejected.body": {"en": "{name}: your {cost} points are back in your balance.",
                             "da": "{name}: dine {cost} point er tilbage på din saldo."},
}


@dataclass(frozen=True)
class Text:
    key: str
    fields: Mapping[str, object] = field(default_factory=dict)

    def render(self, lang: str) -> str:
        words = TEXTS[self.key]
        values = {k: v.render(lang) if isinstance(v, Text) else v for k, v in self.fields.items()}
        return words.get(lang, words["en"]).format(**values)


def text(key: str, **fields: object) -> Text:
    assert key in TEXTS, key
    return Text(key, fields)


def when(moment: datetime) -> Text:
    """A time as each language writes it: "05 Dec 14:00", "05.12. 14:00"."""
    return text("time", moment=moment)


def language_of(locale: str | None, default: str) -> str:
    """The language of a person's `locale` ("da", "da-DK", "en-GB"), else the organisation's (else
    English): for notifications and mail alike (api.services.mail.language)."""
    base = (locale or "").lower().split("-")[0]
    return base if base in LANGUAGES else (default if default in LANGUAGES else "en")
