"""Factories for posts and suggestions."""

from __future__ import annotations

from datetime import timedelta

import factory

from api.clock import utcnow
from api.models.posts import Post, PostTarget, Suggestion
from tests.factories import _Base


class PostFactory(_Base):
    class Meta:
        model = Post

    title = factory.Sequence(lambda n: f"Story {n}")
    body = "Something worth passing on."
    link_url = factory.Sequence(lambda n: f"https://example.com/stories/{n}")
    networks = factory.LazyFunction(lambda: ["linkedin", "x", "facebook", "instagram"])
    suggested_captions = factory.LazyFunction(lambda: {"linkedin": "Proud of what our team built this week."})
    status = "published"
    publish_at = factory.LazyFunction(lambda: utcnow() - timedelta(minutes=1))
    targets = factory.LazyFunction(list)

    @factory.post_generation
    def teams(self, create: bool, extracted: list | None, **kwargs: object) -> None:
        if extracted:
            self.targets = [PostTarget(team_id=t.id) for t in extracted]
            PostFactory._meta.sqlalchemy_session.commit()


class SuggestionFactory(_Base):
    class Meta:
        model = Suggestion

    title = "Night shift story"
    body = "What happened on Tuesday at the depot."
    status = "pending"
