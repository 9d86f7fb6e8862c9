"""My devices (push tokens) and my notification preferences."""

from __future__ import annotations

from flask.views import MethodView

from api.auth import current_user, require_role
from api.db import db
from api.extensions import Blueprint
from api.idempotency import idempotent
from api.services import devices
from schemas.notifications import DeviceCreateSchema, DeviceSchema, PreferencesSchema

URL_PREFIX = ""
blp = Blueprint("devices", __name__, description="Devices and notification preferences")


@blp.route("/devices")
class Devices(MethodView):
    @require_role("staff")
    @blp.arguments(DeviceCreateSchema)
    @idempotent
    @blp.response(201, DeviceSchema)
    @blp.alt_response(200, schema=DeviceSchema, description="The token was already registered")
    def post(self, data: dict):
        """Register this phone's FCM registration token (201 new, 200 known; a shared phone moves to me)"""
        device, created = devices.register(db.session, current_user(), data)
        return device, 201 if created else 200


@blp.route("/devices/<int:device_id>")
class OneDevice(MethodView):
    @require_role("staff")
    @blp.response(204)
    @blp.alt_response(404, response="NOT_FOUND")
    def delete(self, device_id: int):
        """Forget one of my devices (e.g. on sign-out)"""
        devices.remove(db.session, current_user(), device_id)
        return None


@blp.route("/me/notification-preferences")
class Preferences(MethodView):
    @require_role("staff")
    @blp.response(200, PreferencesSchema)
    def get(self):
        """My push preferences (push is off until I turn it on)"""
        return devices.preferences(db.session, current_user().id)

    @require_role("staff")
    @blp.arguments(PreferencesSchema)
    @blp.response(200, PreferencesSchema)
    def put(self, data: dict):
        """Set my push preferences: on/off, categories, quiet hours in my timezone, daily limit"""
        return devices.set_preferences(db.session, current_user().id, data)
