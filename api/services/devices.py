"""Devices and notification preferences."""

from __future__ import annotations

import hashlib
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.clock import utcnow
from api.errors import NotFound
from api.models.notifications import CATEGORIES, Device, NotificationPreference
from api.models.users import User


def register(session: Session, user: User, data: dict[str, Any]) -> tuple[Device, bool]:
    """Upsert by token: a token seen before (even on another account — a shared phone) now
    belongs to this user and is active again. Returns (device, created)."""
    token_hash = hashlib.sha256(data["token"].encode()).hexdigest()
    device = session.scalar(select(Device).where(Device.token_hash == token_hash))
    created = device is None
    if device is None:
        device = Device(token=data["token"], token_hash=token_hash)
        session.add(device)
    device.user_id = user.id
    device.platform = data["platform"]
    for name in ("app_version", "locale", "timezone"):
        if data.get(name) is not None:
            setattr(device, name, data[name])
    device.active, device.deactivated_at, device.deactivation_reason = True, None, None
    device.last_seen_at = utcnow()
    session.flush()
    return device, created


def remove(session: Session, user: User, device_id: int) -> None:
    device = session.scalar(select(Device).where(Device.id == device_id, Device.user_id == user.id))
    if device is None:
        raise NotFound(f"You have no device {device_id}.")
    session.delete(device)
    session.flush()


def preferences(session: Session, user_id: int) -> dict[str, Any]:
    pref = session.get(NotificationPreference, user_id)
    if pref is None:
        return {"push_enabled": False, "categories": {c: True for c in CATEGORIES}, "quiet_hours": None,
                "timezone": "UTC", "max_per_day": 3}
    return {"push_enabled": pref.push_enabled, "categories": {c: bool((pref.categories or {}).get(c, True))
                                                              for c in CATEGORIES},
            "quiet_hours": {"start": pref.quiet_start, "end": pref.quiet_end} if pref.quiet_start else None,
            "timezone": pref.timezone, "max_per_day": pref.max_per_day}


def set_preferences(session: Session, user_id: int, data: dict[str, Any]) -> dict[str, Any]:
    pref = session.get(NotificationPreference, user_id)
    if pref is None:
        pref = NotificationPreference(user_id=user_id)
        session.add(pref)
    pref.push_enabled = data["push_enabled"]
    pref.categories = dict(data["categories"])
    quiet = data["quiet_hours"]
    pref.quiet_start, pref.quiet_end = (quiet["start"], quiet["end"]) if quiet else (None, None)
    pref.timezone = data["timezone"]
    pref.max_per_day = data["max_per_day"]
    session.flush()
    return preferences(session, user_id)
