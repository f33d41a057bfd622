"""A generic HTTP request, for tools without a connector of their own."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from bot.catalogue.operation import Args, ConnectorSpec, Operation, Result


class RequestArgs(Args):
    method: Literal["GET", "POST", "PUT", "PATCH", "DELETE"] = "GET"
    url: str = Field(pattern=r"^https?://")
    json_body: Any = Field(default=None, alias="json")
    headers: dict[str, str] = Field(default_factory=dict)


class Response(Result):
    status: int
    body: Any = None


SPEC = ConnectorSpec(
    namespace="http",
    title="HTTP",
    operations=(
        Operation(
            "http.request",
            "Call an HTTP endpoint",
            RequestArgs,
            Response,
            writes=True,
            idempotent=False,
            secret_args=("headers",),
        ),
    ),
)
