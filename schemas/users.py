"""Me, and users as admins see them."""

from __future__ import annotations

import marshmallow as ma
from marshmallow import validate

from api.config import LANGUAGES
from api.models._common import NETWORKS
from api.models.users import ROLES
from schemas.common import Bool, Id, PatchSchema, RefSchema, Schema, Text, cursor_field
from schemas.policy import PolicyStatusSchema

NOT_ADMIN_NAME = {"description": "Not the name of an admin (422: impersonation)"}


class LevelSchema(Schema):
    number = ma.fields.Integer(required=True)
    name = ma.fields.String(required=True)
    next_level_at = ma.fields.Integer(
        allow_none=True, required=True, metadata={"description": "Lifetime points needed for the next level"}
    )


class PointsSummarySchema(Schema):
    balance = ma.fields.Integer(required=True, metadata={"description": "Earned minus spent on rewards"})
    lifetime = ma.fields.Integer(required=True, metadata={"description": "All points ever earned"})
    level = ma.fields.Nested(LevelSchema, required=True)


class SettingsSchema(Schema):
    gamification_enabled = Bool(required=True)
    leaderboard_visible = Bool(required=True)


class SettingsPatchSchema(Schema):
    gamification_enabled = Bool()
    leaderboard_visible = Bool()


class SocialProfileSchema(Schema):
    network = ma.fields.String(required=True, validate=validate.OneOf(NETWORKS))
    follower_count = ma.fields.Integer(required=True, strict=True, validate=validate.Range(min=0, max=10_000_000))


class MeSchema(Schema):
    id = ma.fields.Integer(required=True)
    email = ma.fields.String(allow_none=True, required=True, metadata={
        "description": "null for someone who joined with a code and a username, without an email"})
    display_name = ma.fields.String(required=True)
    role = ma.fields.String(required=True, validate=validate.OneOf(ROLES))
    locale = ma.fields.String(allow_none=True, required=True, validate=validate.OneOf(LANGUAGES),
                              metadata={"description": "My chosen language; null: the device's"})
    teams = ma.fields.List(ma.fields.Nested(RefSchema), required=True)
    points = ma.fields.Nested(PointsSummarySchema, required=True)
    settings = ma.fields.Nested(SettingsSchema, required=True)
    social_profiles = ma.fields.List(ma.fields.Nested(SocialProfileSchema), required=True)
    policy = ma.fields.Nested(PolicyStatusSchema, required=True, metadata={
        "description": "The social media policy for me: show it when accepted is false"})


class MePatchSchema(PatchSchema):
    display_name = Text(validate=validate.Length(min=1, max=80), metadata=NOT_ADMIN_NAME)
    locale = ma.fields.String(validate=validate.OneOf(LANGUAGES), metadata={
        "description": "The language of the staff app, mails and pushes for me"})
    settings = ma.fields.Nested(SettingsPatchSchema)
    social_profiles = ma.fields.List(
        ma.fields.Nested(SocialProfileSchema),
        validate=validate.Length(max=len(NETWORKS)),
        metadata={"description": "Replaces the list; one entry per network (a network given twice is 422)"},
    )

    @ma.validates("social_profiles")
    def _one_per_network(self, value: list[dict], **_kw: object) -> None:
        networks = [p.get("network") for p in value if isinstance(p, dict) and p.get("network")]
        if len(networks) != len(set(networks)):
            raise ma.ValidationError("Give each network once.")


class AdminUserSchema(Schema):
    id = ma.fields.Integer(required=True)
    email = ma.fields.String(allow_none=True, required=True)
    username = ma.fields.String(allow_none=True, required=True, metadata={
        "description": "Sign-in name of someone without a work email"})
    employee_id = ma.fields.String(allow_none=True, required=True, metadata={"description": "HR's id"})
    display_name = ma.fields.String(required=True)
    role = ma.fields.String(required=True)
    active = Bool(required=True, attribute="is_active")
    activated = Bool(required=True, metadata={"description": "Has set a password"})
    teams = ma.fields.List(ma.fields.Nested(RefSchema), required=True)
    lead_of = ma.fields.List(ma.fields.Integer(), required=True, metadata={"description": "Ids of teams they lead"})
    created_at = ma.fields.DateTime(required=True)


class InviteSchema(Schema):
    email = ma.fields.Email(required=True, validate=validate.Length(max=254))
    display_name = Text(required=True, validate=validate.Length(min=1, max=80), metadata=NOT_ADMIN_NAME)
    role = ma.fields.String(load_default="staff", validate=validate.OneOf(ROLES))
    team_ids = ma.fields.List(Id(), load_default=list, validate=validate.Length(max=50),
                              metadata={"description": "Existing teams (422 naming team_ids otherwise)"})


class InvitedUserSchema(AdminUserSchema):
    invite_token = ma.fields.String(required=True, metadata={"description": "Shown once; send it to the person"})
    invite_url = ma.fields.String(required=True, metadata={
        "description": "The staff app's activation link with the token: /app/activate?token=…"})
    invite_expires_at = ma.fields.DateTime(required=True)


class AdminUserPatchSchema(PatchSchema):
    role = ma.fields.String(validate=validate.OneOf(ROLES))
    team_ids = ma.fields.List(Id(), validate=validate.Length(max=50),
                              metadata={"description": "Existing teams (422 otherwise); replaces the list"})
    active = Bool()
    display_name = Text(validate=validate.Length(min=1, max=80), metadata=NOT_ADMIN_NAME)


class AdminUserQueryArgsSchema(Schema):
    limit = ma.fields.Integer(load_default=20, validate=validate.Range(min=1, max=100))
    cursor = cursor_field()
    role = ma.fields.String(validate=validate.OneOf(ROLES))
    team_id = Id(strict=False)
    active = ma.fields.Boolean()
    q = Text(validate=validate.Length(min=1, max=80), metadata={"description": "Matches name or email"})
