"""How the fake says no: Slack's ``ok: false`` answers and the reply type handlers return."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .limits import Rejection


class ApiError(Exception):
    """A Slack ``ok: false`` answer; ``body`` overrides the plain ``{ok, error}`` shape."""

    def __init__(self, error: str, body: dict[str, Any] | None = None) -> None:
        super().__init__(error)
        self.error = error
        self.body = body or {"ok": False, "error": error}

    @classmethod
    def from_rejection(cls, rejection: Rejection) -> ApiError:
        """The error for a limits check that failed."""
        return cls(rejection.error, rejection.body())


@dataclass(frozen=True)
class ApiReply:
    """HTTP status, JSON body and extra headers for one answer."""

    status: int
    body: dict[str, Any]
    headers: Mapping[str, str] = field(default_factory=dict)


def required(params: Mapping[str, Any], key: str, error: str) -> str:
    """``params[key]`` as a string, or Slack's ``error`` when it is missing or empty."""
    value = params.get(key)
    if not value:
        raise ApiError(error)
    return str(value)
