"""Errors the service raises; the app turns each into one clear 4xx.

Every 4xx answers `ErrorBody` (`{"detail": str}`); a request that fails validation answers
`ValidationErrorBody`, which also names each field that failed. These models document the
answers in the OpenAPI schema (`responses=error_responses(...)` on each route).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class ServiceError(Exception):
    status = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class BadRequest(ServiceError):
    status = 400


class Forbidden(ServiceError):
    status = 403


class NotFound(ServiceError):
    status = 404


class Conflict(ServiceError):
    status = 409


class ErrorBody(BaseModel):
    """The body of every 4xx answer."""

    detail: str = Field(description="What went wrong, in one line, naming the field at fault")


class FieldError(BaseModel):
    field: str = Field(description="The field at fault, dotted (`sender.id`), or `body`")
    message: str


class ValidationErrorBody(ErrorBody):
    """The body of a 422: the summary in `detail`, and each failed field in `errors`."""

    errors: list[FieldError]


_WHEN = {
    400: "The request cannot be served as asked (a query the parser cannot read, a foreign "
         "cursor, a time too far ahead of the server's clock, a bad action parameter)",
    401: "Missing or invalid bearer token",
    403: "The caller's role may not do this",
    404: "No such item (or one the caller may not see), or no such action",
    409: "No longer possible: the item was already decided or is in another state",
    413: "The request body is over the server's limit (`ServerOptions.max_body_bytes`, "
         "1 MiB unless configured); answered before the body is parsed",
    422: "The request failed validation; `errors` names each field",
}


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The `responses=` of a route that can answer these 4xx statuses."""
    return {status: {"model": ValidationErrorBody if status == 422 else ErrorBody,
                     "description": _WHEN[status]}
            for status in statuses}
