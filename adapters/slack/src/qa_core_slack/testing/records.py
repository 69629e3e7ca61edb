"""What the fake Slack knows and remembers: workspaces, messages, views, files, calls.

Tests read these to assert on what the adapter did; the fake's handlers mutate them.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Team:
    """One workspace with the app installed: its bot token and identities, users, groups."""

    id: str
    name: str
    domain: str
    bot_token: str
    bot_user_id: str
    bot_id: str
    app_id: str
    users: dict[str, dict[str, Any]] = field(default_factory=dict)
    usergroups: dict[str, list[str]] = field(default_factory=dict)

    def auth_test(self) -> dict[str, Any]:
        """The ``auth.test`` answer for this workspace's bot token."""
        return {
            "ok": True,
            "url": f"https://{self.domain}.slack.com/",
            "team": self.name,
            "user": "qa-bot",
            "team_id": self.id,
            "user_id": self.bot_user_id,
            "bot_id": self.bot_id,
            "is_enterprise_install": False,
        }


@dataclass
class Message:
    """A message in a channel; ``deleted`` ones stay for assertions."""

    team_id: str
    channel: str
    ts: str
    user: str
    text: str
    blocks: list[Any]
    thread_ts: str | None = None
    bot_id: str | None = None
    files: list[dict[str, Any]] = field(default_factory=list)
    edits: int = 0
    deleted: bool = False

    def to_api(self) -> dict[str, Any]:
        """The message object Slack returns (``message`` in chat.* answers)."""
        out: dict[str, Any] = {
            "type": "message",
            "ts": self.ts,
            "user": self.user,
            "text": self.text,
            "team": self.team_id,
        }
        if self.blocks:
            out["blocks"] = self.blocks
        if self.bot_id:
            out["bot_id"] = self.bot_id
        if self.thread_ts:
            out["thread_ts"] = self.thread_ts
        if self.files:
            out["files"] = self.files
        if self.edits:
            out["edited"] = {"user": self.user, "ts": self.ts}
        return out


@dataclass
class Ephemeral:
    """An ephemeral message: shown to one user, never stored in the channel by Slack."""

    team_id: str
    channel: str
    user: str
    ts: str
    text: str
    blocks: list[Any]
    source: str  # "chat.postEphemeral" or "response_url"


@dataclass
class View:
    """A modal or App Home view as the fake stores it."""

    id: str
    team_id: str
    user_id: str
    body: dict[str, Any]
    hash: str
    root_view_id: str
    previous_view_id: str | None = None

    @property
    def type(self) -> str:
        """``modal`` or ``home``."""
        return str(self.body.get("type"))

    def to_api(self, team: Team) -> dict[str, Any]:
        """The ``view`` object Slack returns and later echoes in view_submission payloads."""
        return {
            "type": self.type,
            "blocks": [],
            "private_metadata": "",
            "callback_id": "",
            "external_id": "",
            **self.body,
            "id": self.id,
            "team_id": self.team_id,
            "state": {"values": {}},
            "hash": self.hash,
            "root_view_id": self.root_view_id,
            "previous_view_id": self.previous_view_id,
            "app_id": team.app_id,
            "bot_id": team.bot_id,
            "app_installed_team_id": self.team_id,
        }


@dataclass
class UploadedFile:
    """A file going through files.getUploadURLExternal → upload URL → completeUploadExternal."""

    id: str
    team_id: str
    filename: str
    length: int
    content: bytes | None = None
    title: str | None = None
    channel: str | None = None
    completed: bool = False

    def to_api(self) -> dict[str, Any]:
        """The file object Slack returns from files.completeUploadExternal."""
        return {
            "id": self.id,
            "name": self.filename,
            "title": self.title or self.filename,
            "size": len(self.content or b""),
        }


@dataclass(frozen=True)
class RecordedCall:
    """One Web API call as the fake saw and answered it (rate-limited and failed ones too)."""

    method: str
    team_id: str | None
    params: Mapping[str, Any]
    status: int
    response: Mapping[str, Any]
    at: float

    @property
    def ok(self) -> bool:
        """Whether the fake answered ``ok: true``."""
        return bool(self.response.get("ok"))

    @property
    def error(self) -> str | None:
        """The Slack error name of a refused call."""
        error = self.response.get("error")
        return str(error) if error is not None else None

    @property
    def blocks(self) -> list[Any] | None:
        """The ``blocks`` argument, parsed even when a form body carried it as a JSON string."""
        blocks = self.params.get("blocks")
        return blocks if isinstance(blocks, list) else None

    @property
    def view(self) -> dict[str, Any] | None:
        """The ``view`` argument, parsed."""
        view = self.params.get("view")
        return view if isinstance(view, dict) else None


@dataclass(frozen=True)
class ResponseUrlPost:
    """A POST to a response_url the fake issued."""

    url: str
    team_id: str
    channel_id: str | None
    user_id: str
    body: Mapping[str, Any]
    status: int
    at: float

    @property
    def response_type(self) -> str:
        """``ephemeral`` (Slack's default) or ``in_channel``."""
        return str(self.body.get("response_type") or "ephemeral")

    @property
    def replace_original(self) -> bool:
        """Whether the post asked to replace the message the interaction came from."""
        return bool(self.body.get("replace_original"))

    @property
    def delete_original(self) -> bool:
        """Whether the post asked to delete the message the interaction came from."""
        return bool(self.body.get("delete_original"))


def basic_auth(header: str | None) -> tuple[str, str] | None:
    """``(client_id, client_secret)`` from an ``Authorization: Basic`` header."""
    if not header or not header.startswith("Basic "):
        return None
    try:
        user, _, password = base64.b64decode(header[6:]).decode().partition(":")
    except ValueError:
        return None
    return user, password
