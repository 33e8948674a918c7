"""JSON answers of the hot read paths, encoded by orjson straight from plain values.

A route that answers through `json_response` keeps its `response_model` for the OpenAPI
schema; the service builds values that fit that model (see `Inbox.item_json`), so FastAPI's
second validation and its slower encoder are skipped.
"""

from __future__ import annotations

import json
from typing import Any

import orjson
from fastapi.encoders import jsonable_encoder
from fastapi.responses import Response

# Times as pydantic writes them (UTC as "Z"), so either encoder gives the same text.
_OPTIONS = orjson.OPT_UTC_Z


def json_response(content: Any, status_code: int = 200) -> Response:
    try:
        body = orjson.dumps(content, option=_OPTIONS)
    except orjson.JSONEncodeError:  # an integer past 64 bits: the standard encoder writes it
        body = json.dumps(jsonable_encoder(content), ensure_ascii=False).encode()
    return Response(body, status_code=status_code, media_type="application/json")
