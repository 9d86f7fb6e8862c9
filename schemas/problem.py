"""The RFC 9457 problem document every error is answered with."""

from __future__ import annotations

import marshmallow as ma


class ProblemSchema(ma.Schema):
    type = ma.fields.String(required=True, metadata={"description": "URI identifying the kind of problem"})
    title = ma.fields.String(required=True, metadata={"description": "Short summary of the kind of problem"})
    status = ma.fields.Integer(required=True, metadata={"description": "HTTP status code"})
    detail = ma.fields.String(required=True, metadata={"description": "What went wrong, for a person to act on"})
    instance = ma.fields.String(allow_none=True, metadata={"description": "Path of the request"})
    request_id = ma.fields.String(metadata={"description": "Quote it to support"})
    errors = ma.fields.Dict(
        keys=ma.fields.String(),
        values=ma.fields.List(ma.fields.String()),
        metadata={"description": "Validation messages per field (dotted path for nested fields)"},
    )
