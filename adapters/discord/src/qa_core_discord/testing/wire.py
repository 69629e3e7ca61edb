"""HTTP details shared by the fake's endpoints: Discord-shaped errors, JSON answers, bodies.

Every answer is JSON with ``Content-Type: application/json`` *exactly*: discord.py's
``json_or_text`` compares the header verbatim, and aiohttp's ``json_response`` appends a
charset that would make discord.py see a string instead of a dict.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from aiohttp import MultipartReader, hdrs, web

from . import limits
from .limits import Violation
from .state import JSON, UploadedFile


class ApiError(Exception):
    """An error answer in Discord's shape: ``{"code", "message"[, "errors"]}``."""

    def __init__(self, status: int, code: int, message: str, *, errors: JSON | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.body: JSON = {"code": code, "message": message}
        if errors is not None:
            self.body["errors"] = errors


def invalid_form(violations: Sequence[Violation]) -> ApiError:
    body = limits.invalid_form_body(violations)
    return ApiError(400, body["code"], body["message"], errors=body["errors"])


def json_response(
    payload: Any, status: int = 200, headers: Mapping[str, str] | None = None
) -> web.Response:
    return web.Response(
        body=json.dumps(payload).encode(),
        status=status,
        headers={"Content-Type": "application/json", **(headers or {})},
    )


def truthy(value: str | None) -> bool:
    """Query flags such as ``with_response=1`` / ``wait=true``."""
    return value is not None and value.lower() not in ("", "0", "false")


@dataclass(frozen=True)
class ParsedBody:
    json: Any
    files: tuple[UploadedFile, ...]


# The parsed body of the request being handled; a context variable works on every aiohttp version.
_BODY: ContextVar[ParsedBody] = ContextVar("qa_core_fake_body")


async def parse_body(request: web.Request) -> ParsedBody:
    """JSON, or multipart with ``payload_json`` and ``files[n]`` parts (discord.py's uploads)."""
    if request.content_type.startswith("multipart/"):
        payload: Any = None
        files: list[UploadedFile] = []
        reader = await request.multipart()
        while (part := await reader.next()) is not None:
            if isinstance(part, MultipartReader):
                continue
            data = bytes(await part.read(decode=False))
            if part.name == "payload_json":
                payload = json.loads(data)
            elif part.filename is not None:
                content_type = part.headers.get(hdrs.CONTENT_TYPE, "application/octet-stream")
                files.append(UploadedFile(part.name or "", part.filename, content_type, data))
        return ParsedBody(payload, tuple(files))
    raw = await request.read()
    if not raw:
        return ParsedBody(None, ())
    try:
        return ParsedBody(json.loads(raw), ())
    except ValueError:
        return ParsedBody(raw.decode("utf-8", "replace"), ())


def set_current_body(body: ParsedBody) -> None:
    _BODY.set(body)


def current_body() -> ParsedBody:
    return _BODY.get()


def current_object() -> Mapping[str, Any]:
    """The current JSON body as an object (empty when there is none)."""
    payload = current_body().json
    if payload is None:
        return {}
    if not isinstance(payload, Mapping):
        raise ApiError(400, 50109, "The request body contains invalid JSON.")
    return payload


def check_message_body(
    body: Mapping[str, Any],
    files: Sequence[UploadedFile],
    *,
    creating: bool,
    path: tuple[str, ...] = (),
) -> None:
    """Raise Discord's error for a message body that breaks a limit (50035, 50006, 40005)."""
    violations = limits.check_message(body, path)
    if violations:
        raise invalid_form(violations)
    if creating and limits.is_empty_message(body, file_count=len(files)):
        raise ApiError(400, 50006, "Cannot send an empty message")
    if sum(len(f.data) for f in files) > limits.MAX_UPLOAD_BYTES:
        raise ApiError(413, 40005, "Request entity too large")
