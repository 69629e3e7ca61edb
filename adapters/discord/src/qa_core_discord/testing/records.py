"""What the fake saw: recorded requests, interaction handles, and assertions over them."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Generator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from .state import (
    CHANNEL_MESSAGE,
    IS_COMPONENTS_V2,
    JSON,
    UPDATE_MESSAGE,
    CallbackRecord,
    FakeState,
    InteractionState,
    UploadedFile,
)

_T = TypeVar("_T")


class Routes:
    """Route templates, as found in ``RecordedRequest.route`` (API paths without ``/api/v10``)."""

    USERS_ME = "/users/@me"
    APPLICATION_ME = "/oauth2/applications/@me"
    GATEWAY = "/gateway"
    GATEWAY_BOT = "/gateway/bot"
    USER = "/users/{user_id}"
    GUILD_MEMBER = "/guilds/{guild_id}/members/{user_id}"
    INTERACTION_CALLBACK = "/interactions/{interaction_id}/{interaction_token}/callback"
    WEBHOOK = "/webhooks/{application_id}/{interaction_token}"
    WEBHOOK_MESSAGE = "/webhooks/{application_id}/{interaction_token}/messages/{message_id}"
    CHANNEL = "/channels/{channel_id}"
    CHANNEL_MESSAGES = "/channels/{channel_id}/messages"
    CHANNEL_MESSAGE = "/channels/{channel_id}/messages/{message_id}"
    MESSAGE_THREADS = "/channels/{channel_id}/messages/{message_id}/threads"
    CHANNEL_THREADS = "/channels/{channel_id}/threads"
    DM_CHANNELS = "/users/@me/channels"
    GLOBAL_COMMANDS = "/applications/{application_id}/commands"
    GUILD_COMMANDS = "/applications/{application_id}/guilds/{guild_id}/commands"
    ATTACHMENT = "/attachments/{channel_id}/{attachment_id}/{filename}"
    UNMATCHED = "<unmatched>"


_MESSAGE_WRITES = frozenset(
    {
        ("POST", Routes.CHANNEL_MESSAGES),
        ("PATCH", Routes.CHANNEL_MESSAGE),
        ("POST", Routes.WEBHOOK),
        ("PATCH", Routes.WEBHOOK_MESSAGE),
    }
)


@dataclass(frozen=True)
class RecordedRequest:
    """One HTTP request to the fake and its answer.

    ``json`` is the parsed JSON body, or the parsed ``payload_json`` part of a multipart body,
    whose ``files[n]`` parts are in ``files``. ``headers`` keeps only the ones tests care about.
    """

    seq: int
    at: float
    method: str
    route: str
    path: str
    params: Mapping[str, str]
    query: Mapping[str, str]
    json: Any
    files: tuple[UploadedFile, ...]
    headers: Mapping[str, str]
    status: int
    response: Any

    @property
    def error_code(self) -> int | None:
        """Discord's JSON error code (50035, 10062, ...) when the fake refused the request."""
        if self.status >= 400 and isinstance(self.response, Mapping):
            code = self.response.get("code")
            return int(code) if code is not None else None
        return None

    @property
    def message_body(self) -> Mapping[str, Any] | None:
        """The message this request creates or edits, if any (interaction data included)."""
        if not isinstance(self.json, Mapping):
            return None
        if (self.method, self.route) in _MESSAGE_WRITES:
            return self.json
        if self.route == Routes.INTERACTION_CALLBACK and self.json.get("type") in (
            CHANNEL_MESSAGE,
            UPDATE_MESSAGE,
        ):
            data = self.json.get("data")
            return data if isinstance(data, Mapping) else None
        if self.route == Routes.CHANNEL_THREADS and isinstance(self.json.get("message"), Mapping):
            return self.json["message"]  # type: ignore[no-any-return]
        return None


@dataclass(frozen=True)
class MentionViolation:
    request: RecordedRequest
    reason: str


def mention_violations(
    requests: Sequence[RecordedRequest], *, allow_roles: bool = False
) -> list[MentionViolation]:
    """Message writes whose text could ping people the bot did not name explicitly.

    A body that carries text (``content``, or components v2 text) must send ``allowed_mentions``
    whose ``parse`` is empty; explicit ``users`` lists are fine, explicit ``roles`` lists only
    with ``allow_roles``. Bodies with no text (a components-only edit, a defer) cannot ping and
    are skipped, matching discord.py, which leaves ``allowed_mentions`` out when content is
    unchanged.
    """
    found: list[MentionViolation] = []
    for request in requests:
        body = request.message_body
        if body is None or not _has_text(body):
            continue
        reason = _mention_problem(body.get("allowed_mentions"), allow_roles=allow_roles)
        if reason is not None:
            found.append(MentionViolation(request, reason))
    return found


def _has_text(body: Mapping[str, Any]) -> bool:
    content = body.get("content")
    return (isinstance(content, str) and content != "") or bool(
        int(body.get("flags") or 0) & IS_COMPONENTS_V2
    )


def _mention_problem(allowed: Any, *, allow_roles: bool) -> str | None:
    if not isinstance(allowed, Mapping):
        return "no allowed_mentions: Discord's default parsing applies"
    parse = allowed.get("parse")
    if parse is None:
        return "allowed_mentions without parse: Discord's default parsing applies"
    if parse:
        return f"allowed_mentions.parse={sorted(parse)}"
    if allowed.get("roles") and not allow_roles:
        return f"allowed_mentions.roles={allowed['roles']}"
    return None


class ChangeSignal:
    """Wakes waiters whenever the fake's state changes; waiters re-check their condition."""

    def __init__(self) -> None:
        self._event: asyncio.Event | None = None

    def fire(self) -> None:
        if self._event is not None:
            self._event.set()
            self._event = None

    async def wait_for(self, probe: Callable[[], _T | None], *, timeout: float, what: str) -> _T:
        """Return ``probe()`` once it is not None; fail the test after ``timeout`` seconds."""
        try:
            async with asyncio.timeout(timeout):
                while (result := probe()) is None:
                    if self._event is None:
                        self._event = asyncio.Event()
                    await self._event.wait()
        except TimeoutError:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}") from None
        return result


@dataclass(frozen=True)
class InteractionResponses:
    """Snapshot of what the bot answered: the initial callback, follow-ups, original message."""

    callback: CallbackRecord | None
    followups: tuple[JSON, ...]
    original: JSON | None


class InteractionHandle:
    """A dispatched interaction. ``await handle`` waits for the bot's initial response.

    Follow-ups arrive later, hence ``wait_followups``; callbacks the fake refused (late, double,
    invalid) are in ``rejected``.
    """

    def __init__(
        self,
        interaction: InteractionState,
        state: FakeState,
        signal: ChangeSignal,
        requests: Callable[[], Sequence[RecordedRequest]],
    ) -> None:
        self._interaction = interaction
        self._state = state
        self._signal = signal
        self._requests = requests

    def __repr__(self) -> str:
        return f"<InteractionHandle id={self.id} type={self._interaction.type}>"

    @property
    def id(self) -> int:
        return self._interaction.id

    @property
    def token(self) -> str:
        return self._interaction.token

    @property
    def payload(self) -> JSON:
        """The INTERACTION_CREATE data sent over the gateway."""
        return self._interaction.payload

    @property
    def callback(self) -> CallbackRecord | None:
        return self._interaction.callback

    @property
    def followups(self) -> tuple[JSON, ...]:
        messages = (self._state.messages.get(m) for m in self._interaction.followup_ids)
        return tuple(m for m in messages if m is not None)

    @property
    def original(self) -> JSON | None:
        message_id = self._interaction.original_message_id
        return self._state.messages.get(message_id) if message_id else None

    @property
    def rejected(self) -> tuple[RecordedRequest, ...]:
        return tuple(
            r
            for r in self._requests()
            if r.route == Routes.INTERACTION_CALLBACK
            and r.params.get("interaction_id") == str(self.id)
            and r.status >= 400
        )

    def responses(self) -> InteractionResponses:
        return InteractionResponses(self.callback, self.followups, self.original)

    async def wait_callback(self, timeout: float = 2.0) -> InteractionResponses:
        await self._signal.wait_for(
            lambda: self.callback, timeout=timeout, what=f"a callback to {self!r}"
        )
        return self.responses()

    async def wait_followups(self, count: int = 1, timeout: float = 2.0) -> InteractionResponses:
        def probe() -> bool | None:
            return True if len(self._interaction.followup_ids) >= count else None

        await self._signal.wait_for(
            probe, timeout=timeout, what=f"{count} follow-up(s) to {self!r}"
        )
        return self.responses()

    async def wait_rejected(
        self, count: int = 1, timeout: float = 2.0
    ) -> tuple[RecordedRequest, ...]:
        def probe() -> tuple[RecordedRequest, ...] | None:
            rejected = self.rejected
            return rejected if len(rejected) >= count else None

        return await self._signal.wait_for(
            probe, timeout=timeout, what=f"{count} rejected callback(s)"
        )

    def __await__(self) -> Generator[Any, None, InteractionResponses]:
        return self.wait_callback().__await__()
