"""Typed errors with messages a person can read; adapters show ``str(error)`` as it is."""

from __future__ import annotations


class QaError(Exception):
    """Base of every error the engine raises on purpose."""

    code = "error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(QaError):
    """An unknown id, or one in another tenant (which we never reveal)."""

    code = "not_found"


class PermissionDenied(QaError):
    code = "permission_denied"


class InvalidInput(QaError):
    """The command itself is malformed: empty text, bad argument, unknown strategy."""

    code = "invalid_input"


class InvalidState(QaError):
    """The command is well formed but not allowed now: a closed session, a withdrawn question."""

    code = "invalid_state"


class Refused(QaError):
    """A screening plugin turned a question away (too long, too fast, slow mode...)."""

    code = "refused"

    def __init__(self, message: str, *, reason: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.reason = reason
        self.retry_after = retry_after
