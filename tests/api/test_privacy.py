"""Privacy rights: GET /me/export gives every personal datum; DELETE /me erases them for good."""

from __future__ import annotations

from sqlalchemy import func, select

from api.clock import utcnow
from api.models.auth_tokens import RefreshToken
from api.models.badges import Badge, BadgeAward
from api.models.comments import Comment
from api.models.ledger import LedgerEntry, UserPoints
from api.models.notifications import Device, Notification, NotificationPreference
from api.models.posts import Post, Suggestion
from api.models.rewards import Redemption, Reward
from api.models.shares import Share
from api.models.users import User
from api.services import ledger
from tests.factories import PASSWORD, TeamFactory, UserFactory
from tests.helpers import assert_problem


def _life_of(session, user: User) -> dict:
    """A person with a bit of everything: shares, comments, a suggestion, points, a badge, a redemption, a phone."""
    post = Post(title="Our new plant", body="", link_url="https://example.com/p", networks=["linkedin"],
                status="published", publish_at=utcnow())
    reward = Reward(name="Mug", description="", cost=5, stock=10)
    badge = Badge(code="first_share", name="First share", criteria={"type": "count", "action": "share", "threshold": 1})
    session.add_all([post, reward, badge])
    session.flush()
    share = Share(post_id=post.id, user_id=user.id, network="linkedin", caption="In my own words: proud of us",
                  personal_caption=True, code="privacycode1", follower_snapshot=420)
    session.add_all([
        share,
        Comment(post_id=post.id, user_id=user.id, body="My very personal remark"),
        Suggestion(user_id=user.id, title="Night shift story", body="What happened on Tuesday"),
        Device(user_id=user.id, token="phone-token-abc", token_hash="h" * 64, platform="ios"),
        NotificationPreference(user_id=user.id, push_enabled=True, timezone="Europe/Oslo"),
        Notification(user_id=user.id, category="badges", title="You earned First share", data={}),
        BadgeAward(badge_id=badge.id, user_id=user.id),
    ])
    ledger.append(session, user_id=user.id, amount=30, action="share", dedupe_key=f"t:{user.id}:share",
                  post_id=post.id)
    ledger.debit(session, user_id=user.id, amount=5, action="redemption", dedupe_key=f"t:{user.id}:redeem")
    session.add(Redemption(reward_id=reward.id, user_id=user.id, cost=5, status="pending"))
    session.commit()
    return {"post": post, "share": share}


def test_export_contains_every_personal_datum(client, session):
    """The export holds the profile, devices, preferences, shares with captions, comments,
    suggestions, ledger, badges, redemptions and notifications."""
    team = TeamFactory(name="Harbour")
    ada = UserFactory(email="ada@example.test", display_name="Ada L", teams=[team], followers={"linkedin": 420})
    _life_of(session, ada)

    r = client.as_(ada).get("/me/export")

    assert r.status_code == 200
    data = r.get_json()
    assert data["profile"]["email"] == "ada@example.test"
    assert data["profile"]["teams"] == [{"id": team.id, "name": "Harbour"}]
    assert data["profile"]["social_profiles"] == [{"network": "linkedin", "follower_count": 420}]
    assert data["devices"][0]["token"] == "phone-token-abc"
    assert data["notification_preferences"]["timezone"] == "Europe/Oslo"
    assert data["shares"][0]["caption"] == "In my own words: proud of us"
    assert data["comments"][0]["body"] == "My very personal remark"
    assert data["suggestions"][0]["title"] == "Night shift story"
    assert sorted(e["amount"] for e in data["ledger"]) == [-5, 30]
    assert data["badges"][0]["code"] == "first_share"
    assert data["redemptions"][0]["reward"] == "Mug"
    assert data["notifications"][0]["title"] == "You earned First share"


def test_export_shows_only_my_data(client, session):
    """Another person's shares, comments and devices never appear in my export."""
    me, other = UserFactory(), UserFactory()
    _life_of(session, other)

    data = client.as_(me).get("/me/export").get_json()

    assert data["profile"]["id"] == me.id
    for key in ("devices", "shares", "comments", "suggestions", "ledger", "badges", "redemptions", "notifications"):
        assert data[key] == [], key


def test_erasure_removes_personal_data_and_keeps_the_ledger(client, session):
    """After DELETE /me: no email, name, captions, comment text, devices or sessions remain;
    the ledger and its balance stay, anonymised; shares still count for reach."""
    ada = UserFactory(email="ada@example.test", display_name="Ada L", teams=[TeamFactory()],
                      followers={"linkedin": 420})
    life = _life_of(session, ada)
    tokens = client.post("/auth/login", json={"email": "ada@example.test", "password": PASSWORD}).get_json()

    r = client.as_(ada).delete("/me")

    assert r.status_code == 204
    session.expire_all()
    user = session.get(User, ada.id)
    assert user.email is None and user.display_name == "Former colleague" and user.password_hash is None
    assert user.erased_at is not None and not user.is_active
    share = session.get(Share, life["share"].id)
    assert share.caption is None and share.follower_snapshot == 420
    assert session.scalar(select(Comment.body).where(Comment.user_id == ada.id)) == ""
    assert session.scalar(select(Suggestion.body).where(Suggestion.user_id == ada.id)) == ""
    for model in (Device, RefreshToken, Notification, NotificationPreference):
        assert session.scalar(select(func.count()).select_from(model).where(model.user_id == ada.id)) == 0, model
    entries = session.scalars(select(LedgerEntry.amount).where(LedgerEntry.user_id == ada.id)).all()
    assert sorted(entries) == [-5, 30]
    assert session.get(UserPoints, ada.id).balance == 25
    assert session.scalar(select(func.count()).select_from(BadgeAward).where(BadgeAward.user_id == ada.id)) == 1

    assert_problem(client.post("/auth/login", json={"email": "ada@example.test", "password": PASSWORD}), 401)
    assert_problem(client.post("/auth/refresh", json={"refresh_token": tokens["refresh_token"]}), 401)
    assert_problem(client.as_(ada).get("/me"), 401)


def test_erased_user_can_be_invited_again_with_the_same_email(client, session):
    """Erasure frees the email: the company can invite the person again as a new account."""
    admin = UserFactory(role="admin")
    ada = UserFactory(email="ada@example.test")
    assert client.as_(ada).delete("/me").status_code == 204

    r = client.as_(admin).post("/admin/users", json={"email": "ada@example.test", "display_name": "Ada",
                                                      "role": "staff", "team_ids": []})

    assert r.status_code == 201
    assert r.get_json()["id"] != ada.id


def test_last_admin_cannot_erase_themselves(client, session):
    """The only active admin gets 409 and nothing changes: the organisation would be locked out."""
    admin = UserFactory(role="admin", email="boss@example.test")

    assert_problem(client.as_(admin).delete("/me"), 409)

    session.expire_all()
    assert session.get(User, admin.id).email == "boss@example.test"


def test_erased_user_disappears_from_the_admin_people_list(client, session):
    """Admins no longer find the erased person (by name or at all) in the people list."""
    admin = UserFactory(role="admin")
    ada = UserFactory(email="ada@example.test", display_name="Ada Lovelace")
    client.as_(ada).delete("/me")

    body = client.as_(admin).get("/admin/users?limit=100").get_json()

    assert ada.id not in [u["id"] for u in body["items"]]
    assert "Lovelace" not in str(body) and "ada@example.test" not in str(body)
