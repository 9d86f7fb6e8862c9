"""factory_boy factories; `bind(session)` points them at the test's session (done by fixtures)."""

from __future__ import annotations

import factory
from factory.alchemy import SQLAlchemyModelFactory
from sqlalchemy.orm import Session

from api.clock import utcnow
from api.models.teams import Team, TeamMembership
from api.models.users import SocialProfile, User
from api.services.passwords import hash_password

PASSWORD = "correct-horse-battery"
_PASSWORD_HASH = hash_password(PASSWORD)


class _Base(SQLAlchemyModelFactory):
    class Meta:
        abstract = True
        sqlalchemy_session_persistence = "commit"


class TeamFactory(_Base):
    class Meta:
        model = Team

    name = factory.Sequence(lambda n: f"Team {n}")


class UserFactory(_Base):
    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"person{n}@example.test")
    display_name = factory.Faker("name")
    role = "staff"
    password_hash = _PASSWORD_HASH
    activated_at = factory.LazyFunction(utcnow)

    @factory.post_generation
    def teams(self, create: bool, extracted: list[Team] | None, **kwargs: object) -> None:
        for team in extracted or []:
            self.memberships.append(TeamMembership(team_id=team.id, is_lead=kwargs.get("lead", False) is True))
        if extracted:
            UserFactory._meta.sqlalchemy_session.commit()

    @factory.post_generation
    def followers(self, create: bool, extracted: dict[str, int] | None, **kwargs: object) -> None:
        for network, count in (extracted or {}).items():
            self.social_profiles.append(SocialProfile(network=network, follower_count=count))
        if extracted:
            UserFactory._meta.sqlalchemy_session.commit()


def lead_of(*teams: Team, **kw: object) -> User:
    """A lead of these teams."""
    return UserFactory(role="lead", teams=list(teams), teams__lead=True, **kw)


def _all(cls: type) -> list[type]:
    out = []
    for sub in cls.__subclasses__():
        out += [sub, *_all(sub)]
    return out


def bind(session: Session) -> None:
    """Point every factory (including ones feature test modules define) at this session."""
    for f in _all(_Base):
        f._meta.sqlalchemy_session = session
