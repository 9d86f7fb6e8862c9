"""The notifications Stafet writes itself reach each person in their language (issue 16: Danish or
English): `users.locale`, else the organisation's DEFAULT_LANGUAGE. Words people wrote stay as written."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from api.clock import utcnow
from api.models.notifications import Notification
from api.services import inbox
from api.services.notification_texts import TEXTS, text
from tests.factories import TeamFactory, UserFactory
from tests.factories_rewards import RewardFactory, give_points


def _inbox(session, user):
    session.expire_all()
    return [(n.title, n.body) for n in session.scalars(
        select(Notification).where(Notification.user_id == user.id).order_by(Notification.id))]


def test_every_message_has_both_languages_with_the_same_fields():
    for key, words in TEXTS.items():
        assert set(words) == {"da", "en"}, key
        fields = {lang: sorted(re.findall(r"{(\w+)", w)) for lang, w in words.items()}
        assert fields["da"] == fields["en"], key


def test_a_challenge_starts_in_danish_for_a_danish_colleague_and_in_english_for_an_english_one(app, client, session):
    from workers.jobs.challenges import run_challenges

    team = TeamFactory()
    lead = UserFactory(role="lead", teams=[team], teams__lead=True)
    mette, sam = UserFactory(teams=[team], locale="da"), UserFactory(teams=[team], locale="en-GB")
    ends = (utcnow() + timedelta(days=2)).replace(hour=14, minute=0, second=0, microsecond=0)
    body = {"title": "Harbour week", "kind": "individual", "metric": "shares", "team_ids": [team.id],
            "starts_at": utcnow().isoformat(), "ends_at": ends.isoformat(), "prize_points": 100}
    assert client.as_(lead).post("/challenges", json=body).status_code == 201
    with app.app_context():
        run_challenges()

    assert _inbox(session, mette) == [("Udfordringen er i gang: Harbour week",
                                       f"Indtil {ends:%d.%m.} 14:00 UTC — 100 point til vinderne.")]
    assert _inbox(session, sam) == [("Challenge on: Harbour week",
                                     f"Until {ends:%d %b} 14:00 UTC — 100 points for the winners.")]


def test_a_declined_redemption_is_explained_in_danish_with_the_admins_own_words(client, session):
    admin, mette = UserFactory(role="admin"), UserFactory(locale="da")
    give_points(session, mette, 100)
    reward = RewardFactory(name="Kaffe på os", cost=100, stock=1)
    rid = client.as_(mette).post(f"/rewards/{reward.id}/redemptions").get_json()["id"]
    r = client.as_(admin).patch(f"/admin/redemptions/{rid}", json={"status": "rejected", "note": "Sorry, no stock."})
    assert r.status_code == 200
    assert _inbox(session, mette) == [("Din indløsning blev afvist",
                                       "Kaffe på os: dine 100 point er tilbage på din saldo. Sorry, no stock.")]


def test_someone_without_a_language_reads_the_organisations(session):
    nobody_chose = UserFactory(locale=None)
    session.info["default_language"] = "da"  # what api.db gives the app's sessions from DEFAULT_LANGUAGE
    inbox.notify(session, nobody_chose.id, "reminders", text("inactive.title"), text("inactive.body"))
    session.commit()
    assert _inbox(session, nobody_chose) == [
        ("Vi savner dine historier", "Der venter nye historier i dit feed — del en med dine egne ord.")]


def test_a_leads_own_words_are_not_translated(session):
    mette = UserFactory(locale="da")
    inbox.notify(session, mette.id, "reminders", "Share today's story", "It's a good one")
    session.commit()
    assert _inbox(session, mette) == [("Share today's story", "It's a good one")]
