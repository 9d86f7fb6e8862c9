"""JSON Schemas of the `data` of each push category (published in mobile_contract/push/).

FCM data values are strings. Every push has `category`, `notification_id` (the inbox id,
for marking it read) and `deep_link`; categories add the id of what they are about.
"""

from __future__ import annotations

from typing import Any

DIGITS = "^[0-9]+$"
LINKS = {
    "new_content": ("^stafet://posts/[0-9]+$", {"post_id": DIGITS}),
    "challenges": ("^stafet://challenges/[0-9]+$", {"challenge_id": DIGITS}),
    "badges": ("^stafet://badges/[a-z0-9][a-z0-9-]*$", {"badge_code": "^[a-z0-9][a-z0-9-]*$"}),
    "rewards": ("^stafet://redemptions/[0-9]+$", {"redemption_id": DIGITS}),
    "reminders": ("^stafet://(posts/[0-9]+|feed)$", {"nudge_id": DIGITS, "post_id": DIGITS}),
}


def push_payload_schemas() -> dict[str, dict[str, Any]]:
    out = {}
    for category, (link, extra) in LINKS.items():
        properties: dict[str, Any] = {
            "category": {"const": category},
            "notification_id": {"type": "string", "pattern": DIGITS,
                                "description": "Inbox id: POST /me/notifications/{id}/read"},
            "deep_link": {"type": "string", "pattern": link},
        }
        properties.update({name: {"type": "string", "pattern": pattern} for name, pattern in extra.items()})
        out[category] = {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": f"https://stafet.dev/mobile_contract/push/{category}.schema.json",
            "title": f"Push data: {category}",
            "type": "object",
            "required": ["category", "notification_id", "deep_link"],
            "properties": properties,
            "additionalProperties": {"type": "string"},
        }
    return out


def webpush_schema() -> dict[str, Any]:
    """The `webpush` block of a push to a browser (platform `web`): the browser shows the
    notification itself, and a tap opens the staff app at `fcm_options.link`."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://stafet.dev/mobile_contract/push/webpush.schema.json",
        "title": "Web push (FCM webpush block) for staff app devices",
        "type": "object",
        "required": ["headers", "notification", "fcm_options"],
        "properties": {
            "headers": {"type": "object", "required": ["TTL", "Urgency"], "properties": {
                "TTL": {"type": "string", "pattern": DIGITS},
                "Urgency": {"enum": ["normal", "high"]}}},
            "notification": {"type": "object", "required": ["title", "icon", "tag"], "properties": {
                "title": {"type": "string", "minLength": 1},
                "body": {"type": "string"},
                "icon": {"type": "string", "pattern": "^https?://[^/]+/app/icons/[a-z0-9-]+\\.png$"},
                "tag": {"type": "string", "description": "A newer push with the same tag replaces the older"}}},
            "fcm_options": {"type": "object", "required": ["link"], "properties": {
                "link": {"type": "string", "pattern": "^https?://[^/]+/app/",
                         "description": "The staff app page of the deep link (stafet://posts/12 -> /app/posts/12)"}}},
        },
    }
