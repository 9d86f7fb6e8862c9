"""All models, imported here so `Base.metadata` is complete (Alembic, tests)."""

from api.models.activity import ActivityEvent, OutboxMessage
from api.models.audit import AuditEvent
from api.models.auth_tokens import AuthSession, RefreshToken
from api.models.badges import Badge, BadgeAward
from api.models.challenges import Challenge, ChallengePost, ChallengeTeam
from api.models.comments import Comment
from api.models.idempotency import IdempotencyRecord
from api.models.join_codes import JoinCode, JoinRequest
from api.models.ledger import DailyCapUsage, LedgerEntry, PeriodTotal, TeamPeriodTotal, UserPoints
from api.models.mail import MailMessage
from api.models.notifications import Device, Notification, NotificationPreference, TeamNudge
from api.models.oidc_logins import OidcLogin
from api.models.password_resets import PasswordReset
from api.models.policies import PolicyAcceptance, PolicyVersion
from api.models.posts import Post, PostTarget, Suggestion
from api.models.rewards import Redemption, Reward
from api.models.scim import ScimToken
from api.models.scoring import Level, ScoringRuleSet
from api.models.shares import Click, Share
from api.models.teams import Team, TeamMembership
from api.models.users import SocialProfile, User

__all__ = [
    "ActivityEvent",
    "AuditEvent",
    "AuthSession",
    "Badge",
    "BadgeAward",
    "Challenge",
    "ChallengePost",
    "ChallengeTeam",
    "Click",
    "Comment",
    "DailyCapUsage",
    "Device",
    "IdempotencyRecord",
    "JoinCode",
    "JoinRequest",
    "LedgerEntry",
    "Level",
    "Notification",
    "NotificationPreference",
    "OidcLogin",
    "OutboxMessage",
    "PeriodTotal",
    "PolicyAcceptance",
    "PolicyVersion",
    "Post",
    "PostTarget",
    "Redemption",
    "RefreshToken",
    "Reward",
    "ScimToken",
    "ScoringRuleSet",
    "Share",
    "SocialProfile",
    "Suggestion",
    "Team",
    "TeamMembership",
    "TeamNudge",
    "TeamPeriodTotal",
    "User",
    "UserPoints",
    "MailMessage",
    "PasswordReset",
]
