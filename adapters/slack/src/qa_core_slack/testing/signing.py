"""Build the signed requests Slack sends to an app: slash commands, clicks, submissions, events.

One builder serves all three ways a test can deliver them: ``App.dispatch(BoltRequest)``
(no socket at all), an HTTP POST to the app's aiohttp server, and a Socket Mode envelope
(which carries the same payload unsigned). Signing follows Slack's v0 scheme as implemented
by ``slack_sdk.signature.SignatureVerifier``: HMAC-SHA256 over ``v0:{timestamp}:{raw body}``,
sent as ``X-Slack-Signature: v0=<hex>`` with ``X-Slack-Request-Timestamp``; Bolt refuses
timestamps more than five minutes off.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import secrets
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Literal, Protocol
from urllib.parse import urlencode

from slack_bolt.request import BoltRequest
from slack_bolt.request.async_request import AsyncBoltRequest

EnvelopeType = Literal["slash_commands", "interactive", "events_api"]
FORM = "application/x-www-form-urlencoded"
JSON = "application/json"
STALE_AFTER_SECONDS = 5 * 60


def signature(signing_secret: str, timestamp: str, body: str) -> str:
    """The ``X-Slack-Signature`` value for ``body`` sent at ``timestamp``."""
    base = f"v0:{timestamp}:{body}".encode()
    return "v0=" + hmac.new(signing_secret.encode(), base, hashlib.sha256).hexdigest()


class InteractionIssuer(Protocol):
    """Hands out the trigger ids and response URLs that interactive payloads carry.

    ``FakeSlack`` implements this so views.open can check triggers and ``respond()`` lands
    on the fake.
    """

    def new_trigger_id(self, team_id: str, user_id: str) -> str:
        """A trigger id for a user's interaction."""
        ...

    def new_response_url(
        self, team_id: str, channel_id: str | None, user_id: str, *, message_ts: str | None = None
    ) -> str:
        """A response URL for an interaction in ``channel_id`` (on ``message_ts``, if any)."""
        ...


class _OfflineIssuer:
    """Used when no fake is attached: well-formed values that lead nowhere."""

    def new_trigger_id(self, team_id: str, user_id: str) -> str:
        return f"{int(time.time())}.{secrets.randbelow(10**9)}.{secrets.token_hex(16)}"

    def new_response_url(
        self, team_id: str, channel_id: str | None, user_id: str, *, message_ts: str | None = None
    ) -> str:
        return f"http://127.0.0.1:9/response/{secrets.token_hex(8)}"


@dataclass(frozen=True)
class SlackRequest:
    """A request as Slack would deliver it.

    :ivar kind: the Socket Mode envelope type for the same payload.
    :ivar payload: the parsed payload (what Socket Mode carries and Bolt calls ``body``).
    :ivar body: the raw HTTP body the signature covers.
    :ivar headers: HTTP headers, signature included.
    """

    kind: EnvelopeType
    payload: Mapping[str, Any]
    body: str
    headers: Mapping[str, str]
    retry_num: int | None = None
    retry_reason: str | None = None

    def to_bolt_request(self) -> BoltRequest:
        """For ``App.dispatch``."""
        return BoltRequest(body=self.body, headers=dict(self.headers))

    def to_async_bolt_request(self) -> AsyncBoltRequest:
        """For ``await AsyncApp.async_dispatch``."""
        return AsyncBoltRequest(body=self.body, headers=dict(self.headers))

    def with_bad_signature(self) -> SlackRequest:
        """Same request, signature that no secret produced (Bolt must answer 401)."""
        return replace(self, headers={**self.headers, "X-Slack-Signature": "v0=" + "0" * 64})


@dataclass
class SlackRequestFactory:
    """Builds signed requests for one app in one workspace; pass ``team_id=`` to vary.

    Use ``FakeSlack.request_factory()`` to get one whose trigger ids and response URLs the
    fake knows.
    """

    signing_secret: str
    team_id: str = "T0001"
    team_domain: str = "qa-test"
    api_app_id: str = "A0001"
    bot_user_id: str = "U0BOT"
    issuer: InteractionIssuer = field(default_factory=_OfflineIssuer)
    clock: Callable[[], float] = time.time
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1), repr=False)

    def slash_command(
        self,
        command: str,
        text: str = "",
        *,
        user_id: str = "U0001",
        user_name: str = "alice",
        channel_id: str = "C0001",
        channel_name: str = "general",
        team_id: str | None = None,
    ) -> SlackRequest:
        """A slash command, form-encoded like Slack sends it."""
        team = team_id or self.team_id
        fields = {
            "token": "unused-verification-token",
            "team_id": team,
            "team_domain": self.team_domain,
            "channel_id": channel_id,
            "channel_name": channel_name,
            "user_id": user_id,
            "user_name": user_name,
            "command": command,
            "text": text,
            "api_app_id": self.api_app_id,
            "is_enterprise_install": "false",
            "response_url": self.issuer.new_response_url(team, channel_id, user_id),
            "trigger_id": self.issuer.new_trigger_id(team, user_id),
        }
        return self._signed("slash_commands", fields, urlencode(fields), FORM)

    def block_actions(
        self,
        action_id: str,
        value: str | None = None,
        *,
        user_id: str = "U0001",
        channel_id: str = "C0001",
        message_ts: str | None = None,
        message: Mapping[str, Any] | None = None,
        view: Mapping[str, Any] | None = None,
        block_id: str = "qa",
        button_text: str = "Click",
        team_id: str | None = None,
    ) -> SlackRequest:
        """A button click on a message (give ``message_ts``) or inside a modal (``view``)."""
        team = team_id or self.team_id
        action: dict[str, Any] = {
            "type": "button",
            "action_id": action_id,
            "block_id": block_id,
            "text": {"type": "plain_text", "text": button_text, "emoji": True},
            "action_ts": f"{self.clock():.6f}",
        }
        if value is not None:
            action["value"] = value
        payload: dict[str, Any] = {
            "type": "block_actions",
            **self._actor(team, user_id),
            "trigger_id": self.issuer.new_trigger_id(team, user_id),
            "actions": [action],
            "state": {"values": {}},
        }
        if view is not None:
            payload["container"] = {"type": "view", "view_id": view.get("id")}
            payload["view"] = dict(view)
        else:
            ts = message_ts or (message or {}).get("ts") or f"{self.clock():.6f}"
            payload["container"] = {
                "type": "message",
                "message_ts": ts,
                "channel_id": channel_id,
                "is_ephemeral": False,
            }
            payload["channel"] = {"id": channel_id, "name": "general"}
            payload["message"] = dict(message) if message else self._bot_message(ts)
            payload["response_url"] = self.issuer.new_response_url(
                team, channel_id, user_id, message_ts=ts
            )
        return self._interactive(payload)

    def view_submission(
        self,
        callback_id: str,
        values: Mapping[str, Mapping[str, Any]] | None = None,
        *,
        private_metadata: str = "",
        user_id: str = "U0001",
        view: Mapping[str, Any] | None = None,
        team_id: str | None = None,
    ) -> SlackRequest:
        """A modal submission; ``values`` is ``{block_id: {action_id: str | state dict}}``.

        A bare string value becomes a ``plain_text_input`` state entry. Pass ``view`` (e.g. a
        view the fake stored on views.open) to submit that exact view.
        """
        team = team_id or self.team_id
        fresh = {"id": f"V{next(self._ids):08d}", "type": "modal", "blocks": []}
        base: dict[str, Any] = dict(view) if view else fresh
        base.update(
            callback_id=callback_id,
            private_metadata=private_metadata or base.get("private_metadata", ""),
            team_id=team,
            state={"values": _state_values(values or {})},
        )
        payload = {
            "type": "view_submission",
            **self._actor(team, user_id),
            "trigger_id": self.issuer.new_trigger_id(team, user_id),
            "view": base,
            "response_urls": [],
        }
        return self._interactive(payload)

    def event(
        self,
        event: Mapping[str, Any],
        *,
        team_id: str | None = None,
        event_id: str | None = None,
        retry_num: int | None = None,
        retry_reason: str | None = None,
    ) -> SlackRequest:
        """An Events API ``event_callback``; ``retry_num``/``retry_reason`` mark a redelivery."""
        team = team_id or self.team_id
        now = self.clock()
        inner = {"event_ts": f"{now:.6f}", **event}
        payload = {
            "token": "unused-verification-token",
            "team_id": team,
            "api_app_id": self.api_app_id,
            "event": inner,
            "type": "event_callback",
            "event_id": event_id or f"Ev{next(self._ids):010d}",
            "event_time": int(now),
            "authorizations": [
                {
                    "enterprise_id": None,
                    "team_id": team,
                    "user_id": self.bot_user_id,
                    "is_bot": True,
                    "is_enterprise_install": False,
                }
            ],
            "is_ext_shared_channel": False,
        }
        extra: dict[str, str] = {}
        if retry_num is not None:
            extra["X-Slack-Retry-Num"] = str(retry_num)
        if retry_reason is not None:
            extra["X-Slack-Retry-Reason"] = retry_reason
        request = self._signed("events_api", payload, json.dumps(payload), JSON, extra)
        return replace(request, retry_num=retry_num, retry_reason=retry_reason)

    def stale(
        self, request: SlackRequest, *, age_seconds: int = STALE_AFTER_SECONDS + 60
    ) -> SlackRequest:
        """The same request correctly signed, but ``age_seconds`` ago (Bolt must answer 401)."""
        timestamp = str(int(self.clock()) - age_seconds)
        headers = {
            **request.headers,
            "X-Slack-Request-Timestamp": timestamp,
            "X-Slack-Signature": signature(self.signing_secret, timestamp, request.body),
        }
        return replace(request, headers=headers)

    def _actor(self, team_id: str, user_id: str) -> dict[str, Any]:
        return {
            "user": {
                "id": user_id,
                "username": user_id.lower(),
                "name": user_id.lower(),
                "team_id": team_id,
            },
            "api_app_id": self.api_app_id,
            "token": "unused-verification-token",
            "team": {"id": team_id, "domain": self.team_domain},
            "enterprise": None,
            "is_enterprise_install": False,
        }

    def _bot_message(self, ts: str) -> dict[str, Any]:
        return {"type": "message", "ts": ts, "user": self.bot_user_id, "text": "", "blocks": []}

    def _interactive(self, payload: Mapping[str, Any]) -> SlackRequest:
        return self._signed(
            "interactive", payload, urlencode({"payload": json.dumps(payload)}), FORM
        )

    def _signed(
        self,
        kind: EnvelopeType,
        payload: Mapping[str, Any],
        body: str,
        content_type: str,
        extra_headers: Mapping[str, str] | None = None,
    ) -> SlackRequest:
        timestamp = str(int(self.clock()))
        headers = {
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": timestamp,
            "X-Slack-Signature": signature(self.signing_secret, timestamp, body),
            **(extra_headers or {}),
        }
        return SlackRequest(kind=kind, payload=payload, body=body, headers=headers)


def _state_values(values: Mapping[str, Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for block_id, actions in values.items():
        out[block_id] = {
            action_id: {"type": "plain_text_input", "value": v} if isinstance(v, str) else dict(v)
            for action_id, v in actions.items()
        }
    return out
