"""Scoring rules, levels, point adjustments and my ledger entries."""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from marshmallow import validate

from api.models._common import NETWORKS
from api.models.ledger import LEDGER_ACTIONS
from api.models.scoring import CHALLENGE_PRIZE_LIMIT
from schemas.common import Bool, Id, Schema, Text

MAX_POINTS = 1_000_000


def _points(description: str, **kw: Any) -> ma.fields.Integer:
    return ma.fields.Integer(required=True, strict=True, validate=validate.Range(min=0, max=MAX_POINTS),
                             metadata={"description": description}, **kw)


class DailyCapsSchema(Schema):
    share = _points("Share points (with the personal-caption bonus) per person per day; null = no cap",
                    allow_none=True)
    comment = _points("Comment points per person per day; null = no cap", allow_none=True)
    click = _points("Click points per person per day; null = no cap", allow_none=True)


class LevelRowSchema(Schema):
    number = ma.fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=1000))
    name = Text(required=True, validate=validate.Length(min=1, max=40))
    min_points = ma.fields.Integer(required=True, strict=True, validate=validate.Range(min=0, max=10**9))


SharePointsByNetworkSchema = Schema.from_dict(
    {n: ma.fields.Integer(strict=True, validate=validate.Range(min=0, max=MAX_POINTS)) for n in NETWORKS},
    name="SharePointsByNetwork",
)


class ScoringRulesSchema(Schema):
    """The whole rule set; every PUT stores a new version that applies to events tallied from then on."""

    share = _points("Points per share (networks without an override)")
    share_by_network = ma.fields.Nested(
        SharePointsByNetworkSchema, load_default=dict,
        metadata={"description": "Per-network share points, e.g. {\"instagram\": 0} where the platform forbids "
                                 "rewarding posts"},
    )
    personal_caption_bonus = _points("Extra points for a share with one's own caption (only where the share earns)")
    comment = _points("Points per comment (none on one's own post)")
    click = _points("Points per counted click on one's tracked link")
    suggestion_accepted = _points("Points when one's story suggestion is accepted")
    admins_earn_points = Bool(required=True)
    daily_caps = ma.fields.Nested(DailyCapsSchema, required=True)
    max_clicks_per_share = _points("Clicks that earn points, per share")
    max_challenge_prize = ma.fields.Integer(
        strict=True, validate=validate.Range(min=0, max=CHALLENGE_PRIZE_LIMIT),
        metadata={"description": "A lead's challenge prize above this waits for an admin's approval before it "
                                 "can be paid (admins' own prizes are approved when set). Default 500; left out of "
                                 "a PUT = unchanged"})
    levels = ma.fields.List(ma.fields.Nested(LevelRowSchema), required=True,
                            validate=validate.Length(min=1, max=50),
                            metadata={"description": "Ascending by number and by min_points (each unique); the "
                                                     "first level starts at 0 points (422 otherwise)"})

    @ma.validates("levels")
    def _ascending(self, value: list[dict], **_kw: object) -> None:
        rows = [r for r in value if isinstance(r, dict)]
        numbers = [r.get("number") for r in rows]
        minimums = [r.get("min_points") for r in rows]
        if None in numbers or None in minimums:
            return
        if any(a >= b for a, b in zip(numbers, numbers[1:], strict=False)):
            raise ma.ValidationError("Level numbers must be unique and ascending.")
        if any(a >= b for a, b in zip(minimums, minimums[1:], strict=False)):
            raise ma.ValidationError("Level min_points must be unique and ascending.")
        if minimums and minimums[0] != 0:
            raise ma.ValidationError("The first level starts at 0 points.")


class AdjustmentCreateSchema(Schema):
    user_id = Id(required=True)
    amount = ma.fields.Integer(required=True, strict=True,
                               validate=[validate.Range(min=-MAX_POINTS, max=MAX_POINTS),
                                         validate.NoneOf([0], error="Must not be 0.")],
                               metadata={"description": "Points to add (negative to take away); not 0",
                                         "not": {"enum": [0]}})
    reason = Text(required=True, validate=validate.Length(min=1, max=500))


class LedgerEntrySchema(Schema):
    id = ma.fields.Integer(required=True)
    amount = ma.fields.Integer(required=True)
    action = ma.fields.String(required=True, validate=validate.OneOf(LEDGER_ACTIONS))
    reason = ma.fields.String(allow_none=True, required=True)
    post_id = ma.fields.Integer(allow_none=True, required=True)
    created_at = ma.fields.DateTime(required=True)


class AdjustmentSchema(LedgerEntrySchema):
    user_id = ma.fields.Integer(required=True)
