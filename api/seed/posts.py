"""Demo stories: ~20 posts across teams and networks, two pinned, one scheduled, one expired."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.clock import utcnow
from api.models.posts import Post, PostTarget
from api.models.teams import Team

ALL = ("linkedin", "x", "facebook", "instagram")
# (title, body, caption, networks, team or None, campaign, pinned, hours from now to publish, expires in hours)
STORIES = (
    ("We opened our greenest store yet", "Solar roof, heat pumps and zero-waste deli counters.",
     "Proud to work somewhere that builds stores like this.", ALL, None, "green-stores", True, -50, None),
    ("Apprentices wanted: 40 places this autumn", "Paid apprenticeships in logistics, bakery and IT.",
     "Know someone who should start their career with us? Share this!", ("linkedin", "facebook"), None,
     "hiring", True, -30, None),
    ("Stores North raised 120,000 for the food bank", "Thank you to every customer who rounded up.",
     "Our customers are amazing. 120k for the local food bank!", ALL, "Stores North", "community", False, -70,
     None),
    ("Meet Aisha, store manager of the year", "Twelve years, three stores, one very loyal team.",
     "Congratulations Aisha — well deserved!", ("linkedin", "facebook", "instagram"), None, "people", False, -20,
     None),
    ("Our new app lets customers skip the queue", "Scan, pay and go in every store by March.",
     "Scan, pay, go. Try it next time you shop with us.", ALL, None, "product", False, -10, None),
    ("Head Office moves to four-day summer weeks", "A pilot for June to August.",
     "Summer Fridays are here!", ("linkedin", "x"), "Head Office", "people", False, -90, None),
    ("Local farmers now supply 60% of our produce", "Shorter routes, fresher food.",
     "Supporting local farmers, one crate at a time.", ALL, None, "sourcing", False, -120, None),
    ("Stores South wins regional customer service award", "Voted by 8,000 shoppers.",
     "Customer service is a team sport. Proud of Stores South!", ALL, "Stores South", "awards", False, -40, None),
    ("How we cut delivery emissions by 30%", "Electric vans and smarter routes.",
     "Cleaner deliveries, same great service.", ("linkedin", "x"), None, "green-stores", False, -150, None),
    ("Volunteer day: 300 colleagues planted 2,000 trees", "Photos from the day inside.",
     "What a day! 2,000 trees planted together.", ("facebook", "instagram", "linkedin"), None, "community",
     False, -200, None),
    ("New parental leave policy: 26 weeks for every parent", "Equal leave, full pay.",
     "Proud of our new parental leave policy.", ("linkedin",), None, "people", False, -15, None),
    ("Bakery team launches sourdough range", "Baked in store every morning.",
     "Smell that? Fresh sourdough in every store.", ("instagram", "facebook"), "Stores North", "product", False,
     -6, None),
    ("Our graduate programme is open", "Two years, four rotations, one great start.",
     "Graduates: this is the programme I wish I'd had.", ("linkedin", "x"), None, "hiring", False, -4, None),
    ("Store openings: three new neighbourhoods this spring", "Bringing fresh food closer to home.",
     "Three new stores, 150 new jobs!", ALL, None, "growth", False, -2, None),
    ("Recycling stations in every store", "Batteries, bulbs and soft plastics.",
     "Bring your soft plastics — we'll handle the rest.", ("facebook", "instagram"), "Stores South",
     "green-stores", False, -80, None),
    ("Head Office tech team open-sources our routing tool", "Free for any retailer to use.",
     "We just open-sourced our delivery routing tool.", ("linkedin", "x"), "Head Office", "tech", False, -25, None),
    ("Customer stories: the 90-year-old regular", "Every Tuesday since 1971.",
     "Some customers become family.", ("facebook", "instagram"), None, "community", False, -60, None),
    ("Safety week: zero incidents in November", "Thanks to every team that made it happen.",
     "Safety first, every shift.", ("linkedin",), "Stores North", "safety", False, -8, None),
    ("Black Friday: we're donating instead", "10% of the day's sales go to children's charities.",
     "Giving back this Black Friday.", ALL, None, "community", False, 24, None),
    ("Summer festival recap", "Thanks for coming!", "What a summer festival!", ALL, None, "events", False, -400, -100),
)


def seed(session: Session) -> dict[str, int]:
    teams = {t.name: t.id for t in session.scalars(select(Team))}
    existing = set(session.scalars(select(Post.title)))
    now = utcnow()
    created = 0
    for title, body, caption, networks, team, campaign, pinned, publish_in, expire_in in STORIES:
        if title in existing:
            continue
        captions = {n: caption for n in networks if not (n == "x" and len(caption) > 280)}
        session.add(Post(
            title=title, body=body, link_url=f"https://example.com/news/{campaign}/{created + 1}", media=[],
            suggested_captions=captions, networks=list(networks), campaign=campaign, pinned=pinned,
            status="published", publish_at=now + timedelta(hours=publish_in),
            expires_at=None if expire_in is None else now + timedelta(hours=expire_in),
            targets=[PostTarget(team_id=teams[team])] if team and team in teams else [],
        ))
        created += 1
    return {"posts": created}
