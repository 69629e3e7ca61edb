"""response_url targets: where ``respond()`` posts after a slash command or a click.

A POST carries a message plus ``response_type`` (``ephemeral``, the default, or
``in_channel``), ``replace_original`` or ``delete_original`` (which act on the message the
interaction came from). Slack documents neither the error answers nor the exact use limits;
the fake allows five uses within thirty minutes (secondary sources, docs/platforms.md 3.2),
answers 404 ``expired_url`` past that and 400 with the usual error body for a bad message.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from .channels import Channels
from .errors import ApiReply
from .limits import check_message
from .records import Message, ResponseUrlPost, Team

RESPONSE_URL_MAX_USES = 5
RESPONSE_URL_TTL_SECONDS = 30 * 60
_OK = {"ok": True}


@dataclass
class _Target:
    team_id: str
    channel_id: str | None
    user_id: str
    message_ts: str | None
    issued_at: float
    uses: int = 0


class ResponseUrls:
    """Issues response URLs and applies what is posted to them."""

    def __init__(
        self,
        channels: Channels,
        teams: Mapping[str, Team],
        root_url: Callable[[], str],
        clock: Callable[[], float],
    ) -> None:
        self.posts: list[ResponseUrlPost] = []
        self._channels = channels
        self._teams = teams
        self._root_url = root_url
        self._clock = clock
        self._targets: dict[str, _Target] = {}

    def issue(
        self, team_id: str, channel_id: str | None, user_id: str, *, message_ts: str | None = None
    ) -> str:
        """A new URL; ``message_ts`` names the message ``*_original`` acts on."""
        token = secrets.token_hex(12)
        self._targets[token] = _Target(team_id, channel_id, user_id, message_ts, self._clock())
        return f"{self._root_url()}/response/{team_id}/{token}"

    def post(self, team_id: str, token: str, body: Mapping[str, Any]) -> ApiReply:
        """Handle one POST and record it."""
        target = self._targets.get(token)
        reply = self._apply(target, team_id, body)
        if target is not None:
            url = f"{self._root_url()}/response/{team_id}/{token}"
            self.posts.append(
                ResponseUrlPost(
                    url,
                    target.team_id,
                    target.channel_id,
                    target.user_id,
                    body,
                    reply.status,
                    self._clock(),
                )
            )
        return reply

    def _apply(self, target: _Target | None, team_id: str, body: Mapping[str, Any]) -> ApiReply:
        if target is None or not self._usable(target, team_id):
            return ApiReply(404, {"ok": False, "error": "expired_url"})
        target.uses += 1
        if body.get("delete_original"):
            original = self._original(target)
            if original is not None:
                original.deleted = True
            return ApiReply(200, _OK)
        rejection = check_message(
            text=body.get("text"), blocks=body.get("blocks"), attachments=body.get("attachments")
        )
        if rejection:
            return ApiReply(400, rejection.body())
        original = self._original(target) if body.get("replace_original") else None
        if original is not None:
            original.text, original.blocks = body.get("text") or "", body.get("blocks") or []
            original.edits += 1
        else:
            self._post_new(target, body)
        return ApiReply(200, _OK)

    def _usable(self, target: _Target, team_id: str) -> bool:
        fresh = self._clock() - target.issued_at <= RESPONSE_URL_TTL_SECONDS
        return target.team_id == team_id and target.uses < RESPONSE_URL_MAX_USES and fresh

    def _original(self, target: _Target) -> Message | None:
        if target.message_ts is None:
            return None
        return self._channels.find(target.team_id, str(target.channel_id), target.message_ts)

    def _post_new(self, target: _Target, body: Mapping[str, Any]) -> None:
        text, blocks = body.get("text") or "", body.get("blocks") or []
        channel = str(target.channel_id)
        team = self._teams.get(target.team_id)
        if body.get("response_type") == "in_channel" and team is not None:
            self._channels.post_as_bot(team, channel, text, blocks)
        else:
            self._channels.post_ephemeral(
                target.team_id, channel, target.user_id, text, blocks, "response_url"
            )
