"""The generated mobile contract: OpenAPI document and push payload schemas."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from flask import Flask

from api.extensions import api
from schemas.push import push_payload_schemas, webpush_schema


def openapi_document(app: Flask) -> dict[str, Any]:
    with app.app_context():
        return api.spec.to_dict()


def render(document: Any) -> str:
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def documents(app: Flask) -> dict[str, Any]:
    """Relative path under mobile_contract/ -> JSON document."""
    docs: dict[str, Any] = {"openapi.json": openapi_document(app)}
    for category, schema in push_payload_schemas().items():
        docs[f"push/{category}.schema.json"] = schema
    docs["push/webpush.schema.json"] = webpush_schema()
    return docs


def write_contract(app: Flask, directory: Path) -> list[Path]:
    written = []
    for relative, document in documents(app).items():
        path = directory / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(render(document))
        written.append(path)
    return written
