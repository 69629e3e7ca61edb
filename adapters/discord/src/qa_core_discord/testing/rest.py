"""The fake's REST API: the endpoints an interaction-driven bot uses, stateful and strict.

One middleware authenticates (``Authorization: Bot <token>``, except on token-in-path
interaction routes), applies rate limits, turns ``ApiError`` into Discord's JSON errors and
records every request. Interaction endpoints live in ``interactions``.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from aiohttp import hdrs, web

from . import limits
from .interactions import InteractionEndpoints
from .ratelimit import RateLimiter
from .records import ChangeSignal, RecordedRequest, Routes
from .state import (
    DM,
    EPHEMERAL,
    JSON,
    PRIVATE_THREAD,
    PUBLIC_THREAD,
    FakeChannel,
    FakeState,
    channel_payload,
    member_payload,
    user_payload,
)
from .wire import (
    ApiError,
    ParsedBody,
    check_message_body,
    current_body,
    current_object,
    invalid_form,
    json_response,
    parse_body,
    set_current_body,
)

API_PREFIX = "/api/v10"
# Routes where the interaction token in the path is the credential (no Authorization header).
TOKEN_ROUTES = frozenset({Routes.INTERACTION_CALLBACK, Routes.WEBHOOK, Routes.WEBHOOK_MESSAGE})
HEADERS_OF_INTEREST = ("Authorization", "Content-Type", "User-Agent", "X-Audit-Log-Reason")

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class RestApi:
    """Route handlers plus the middleware that authenticates, rate-limits and records."""

    def __init__(
        self,
        state: FakeState,
        limiter: RateLimiter,
        signal: ChangeSignal,
        *,
        token: str,
        gateway_url: Callable[[], str],
        interaction_deadline: float,
        token_lifetime: float,
    ) -> None:
        self.state = state
        self.limiter = limiter
        self.signal = signal
        self.token = token
        self.gateway_url = gateway_url
        self.interactions = InteractionEndpoints(
            state, deadline=interaction_deadline, token_lifetime=token_lifetime
        )
        self.records: list[RecordedRequest] = []

    # -- plumbing -------------------------------------------------------------------------

    def routes(self) -> list[web.RouteDef]:
        api = {
            ("GET", Routes.USERS_ME): self.get_me,
            ("GET", Routes.APPLICATION_ME): self.get_application,
            ("GET", Routes.GATEWAY): self.get_gateway,
            ("GET", Routes.GATEWAY_BOT): self.get_gateway,
            ("GET", Routes.USER): self.get_user,
            ("GET", Routes.GUILD_MEMBER): self.get_member,
            ("POST", Routes.INTERACTION_CALLBACK): self.interactions.interaction_callback,
            ("POST", Routes.WEBHOOK): self.interactions.execute_webhook,
            ("GET", Routes.WEBHOOK_MESSAGE): self.interactions.get_webhook_message,
            ("PATCH", Routes.WEBHOOK_MESSAGE): self.interactions.edit_webhook_message,
            ("DELETE", Routes.WEBHOOK_MESSAGE): self.interactions.delete_webhook_message,
            ("GET", Routes.CHANNEL): self.get_channel,
            ("GET", Routes.CHANNEL_MESSAGES): self.list_messages,
            ("POST", Routes.CHANNEL_MESSAGES): self.create_message,
            ("GET", Routes.CHANNEL_MESSAGE): self.get_message,
            ("PATCH", Routes.CHANNEL_MESSAGE): self.edit_message,
            ("DELETE", Routes.CHANNEL_MESSAGE): self.delete_message,
            ("POST", Routes.MESSAGE_THREADS): self.thread_from_message,
            ("POST", Routes.CHANNEL_THREADS): self.thread_without_message,
            ("POST", Routes.DM_CHANNELS): self.open_dm,
            ("GET", Routes.GLOBAL_COMMANDS): self.get_commands,
            ("PUT", Routes.GLOBAL_COMMANDS): self.put_commands,
            ("GET", Routes.GUILD_COMMANDS): self.get_commands,
            ("PUT", Routes.GUILD_COMMANDS): self.put_commands,
        }
        defs = [
            web.route(method, API_PREFIX + path, handler) for (method, path), handler in api.items()
        ]
        return [*defs, web.get(Routes.ATTACHMENT, self.get_attachment)]

    def unmatched_route(self) -> web.RouteDef:
        """Registered last: anything else is a 404 the tests can find in the records."""
        return web.route("*", "/{tail:.*}", self.unmatched)

    @web.middleware
    async def middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        if request.headers.get(hdrs.UPGRADE, "").lower() == "websocket":
            return await handler(request)
        body = await parse_body(request)
        set_current_body(body)
        route = self._route_of(request)
        response = await self._answer(request, route, handler)
        self._record(request, route, body, response)
        return response

    async def _answer(self, request: web.Request, route: str, handler: Handler) -> web.Response:
        is_api = request.path.startswith(API_PREFIX) and route != Routes.UNMATCHED
        if (
            is_api
            and route not in TOKEN_ROUTES
            and request.headers.get("Authorization") != f"Bot {self.token}"
        ):
            return json_response({"message": "401: Unauthorized", "code": 0}, 401)
        rate_headers: Mapping[str, str] = {}
        if is_api:
            decision = self.limiter.check(request.method, route, request.match_info)
            if not decision.allowed:
                return json_response(decision.body, 429, decision.headers)
            rate_headers = decision.headers
        try:
            response = await handler(request)
        except ApiError as error:
            response = json_response(error.body, error.status)
        assert isinstance(response, web.Response)
        response.headers.update(rate_headers)
        return response

    def _route_of(self, request: web.Request) -> str:
        resource = request.match_info.route.resource
        canonical = resource.canonical if resource is not None else ""
        if canonical in ("", "/{tail}"):
            return Routes.UNMATCHED
        return canonical.removeprefix(API_PREFIX)

    def _record(
        self, request: web.Request, route: str, body: ParsedBody, response: web.Response
    ) -> None:
        answer: Any = None
        if response.content_type == "application/json" and isinstance(response.body, bytes):
            answer = json.loads(response.body)
        params = {} if route == Routes.UNMATCHED else dict(request.match_info)
        self.records.append(
            RecordedRequest(
                seq=len(self.records),
                at=self.state.clock.now(),
                method=request.method,
                route=route,
                path=request.path,
                params=params,
                query=dict(request.query),
                json=body.json,
                files=body.files,
                headers={
                    k: request.headers[k] for k in HEADERS_OF_INTEREST if k in request.headers
                },
                status=response.status,
                response=answer,
            )
        )
        self.signal.fire()

    # -- login and gateway discovery ------------------------------------------------------

    async def get_me(self, request: web.Request) -> web.Response:
        me = user_payload(self.state.bot_user) | {
            "verified": True,
            "mfa_enabled": False,
            "flags": 0,
        }
        return json_response(me)

    async def get_application(self, request: web.Request) -> web.Response:
        return json_response(
            {
                "id": str(self.state.application_id),
                "name": self.state.bot_user.username,
                "description": "",
                "icon": None,
                "bot_public": False,
                "bot_require_code_grant": False,
                "owner": user_payload(self.state.owner),
                "verify_key": "0" * 64,
                "flags": 0,
                # Non-null would make discord.py warn that it receives no interactions.
                "interactions_endpoint_url": None,
            }
        )

    async def get_gateway(self, request: web.Request) -> web.Response:
        limit = {"total": 1000, "remaining": 999, "reset_after": 14_400_000, "max_concurrency": 1}
        return json_response({"url": self.gateway_url(), "shards": 1, "session_start_limit": limit})

    async def get_user(self, request: web.Request) -> web.Response:
        user = self.state.users.get(int(request.match_info["user_id"]))
        if user is None:
            raise ApiError(404, 10013, "Unknown User")
        return json_response(user_payload(user))

    async def get_member(self, request: web.Request) -> web.Response:
        guild = self.state.guilds.get(int(request.match_info["guild_id"]))
        if guild is None:
            raise ApiError(404, 10004, "Unknown Guild")
        member = guild.members.get(int(request.match_info["user_id"]))
        if member is None:
            raise ApiError(404, 10007, "Unknown Member")
        return json_response(member_payload(member))

    async def unmatched(self, request: web.Request) -> web.Response:
        return json_response({"message": "404: Not Found", "code": 0}, 404)

    # -- channels and messages ------------------------------------------------------------

    def _channel(self, request: web.Request) -> FakeChannel:
        channel = self.state.channels.get(int(request.match_info["channel_id"]))
        if channel is None:
            raise ApiError(404, 10003, "Unknown Channel")
        return channel

    def _message(self, request: web.Request, channel: FakeChannel) -> JSON:
        message = self.state.messages.get(int(request.match_info["message_id"]))
        if message is None or message["channel_id"] != str(channel.id):
            raise ApiError(404, 10008, "Unknown Message")
        return message

    async def get_channel(self, request: web.Request) -> web.Response:
        return json_response(channel_payload(self._channel(request), self.state.clock))

    async def list_messages(self, request: web.Request) -> web.Response:
        channel = self._channel(request)
        limit = min(int(request.query.get("limit", "50")), 100)
        visible = [
            m for m in self.state.channel_messages_of(channel.id) if not m["flags"] & EPHEMERAL
        ]
        return json_response(list(reversed(visible))[:limit])

    async def create_message(self, request: web.Request) -> web.Response:
        channel = self._channel(request)
        if (
            channel.type == DM
            and channel.recipient
            and channel.recipient.id in self.state.dm_refused
        ):
            raise ApiError(403, 50007, "Cannot send messages to this user")
        body, files = current_object(), current_body().files
        check_message_body(body, files, creating=True)
        message = self.state.create_message(channel, body, author=self.state.bot_user, files=files)
        return json_response(message)

    async def get_message(self, request: web.Request) -> web.Response:
        return json_response(self._message(request, self._channel(request)))

    async def edit_message(self, request: web.Request) -> web.Response:
        message = self._message(request, self._channel(request))
        if message["author"]["id"] != str(self.state.bot_user.id):
            raise ApiError(403, 50005, "Cannot edit a message authored by another user")
        body, files = current_object(), current_body().files
        check_message_body(body, files, creating=False)
        return json_response(self.state.edit_message(message, body, files))

    async def delete_message(self, request: web.Request) -> web.Response:
        message = self._message(request, self._channel(request))
        self.state.delete_message(int(message["id"]))
        return web.Response(status=204)

    # -- threads and DMs ------------------------------------------------------------------

    def _thread_name(self, body: Mapping[str, Any]) -> str:
        name = body.get("name")
        violations = limits.check_thread_name(name)
        if violations:
            raise invalid_form(violations)
        assert isinstance(name, str)
        return name

    async def thread_from_message(self, request: web.Request) -> web.Response:
        channel = self._channel(request)
        message = self._message(request, channel)
        name = self._thread_name(current_object())
        # A thread started from a message takes the message's id.
        if int(message["id"]) in self.state.channels:
            raise ApiError(400, 160004, "A thread has already been created for this message")
        thread = self._add_thread(channel, name, PUBLIC_THREAD, thread_id=int(message["id"]))
        return json_response(channel_payload(thread, self.state.clock))

    async def thread_without_message(self, request: web.Request) -> web.Response:
        channel = self._channel(request)
        body = current_object()
        name = self._thread_name(body)
        starter = body.get("message")
        if isinstance(starter, Mapping):
            check_message_body(starter, current_body().files, creating=True, path=("message",))
        thread = self._add_thread(channel, name, int(body.get("type") or PRIVATE_THREAD))
        payload = channel_payload(thread, self.state.clock)
        if isinstance(starter, Mapping):
            files = current_body().files
            payload["message"] = self.state.create_message(
                thread, starter, author=self.state.bot_user, files=files, message_id=thread.id
            )
        return json_response(payload)

    def _add_thread(
        self, parent: FakeChannel, name: str, kind: int, *, thread_id: int | None = None
    ) -> FakeChannel:
        guild = self.state.guilds.get(parent.guild_id or 0)
        if guild is None:
            raise ApiError(400, 50024, "Cannot execute action on this channel type")
        extra: dict[str, Any] = {"parent_id": parent.id, "owner_id": self.state.bot_user.id}
        if thread_id is not None:
            extra["id"] = thread_id
        return self.state.add_channel(guild, name, type=kind, **extra)

    async def open_dm(self, request: web.Request) -> web.Response:
        recipient = str(current_object().get("recipient_id"))
        user = self.state.users.get(int(recipient)) if recipient.isdigit() else None
        if user is None:
            raise ApiError(400, 50033, "Invalid Recipient(s)")
        return json_response(channel_payload(self.state.dm_channel(user), self.state.clock))

    # -- application commands -------------------------------------------------------------

    def _command_scope(self, request: web.Request) -> int | None:
        if request.match_info["application_id"] != str(self.state.application_id):
            raise ApiError(404, 10002, "Unknown Application")
        guild_id = request.match_info.get("guild_id")
        if guild_id is None:
            return None
        if int(guild_id) not in self.state.guilds:
            raise ApiError(404, 10004, "Unknown Guild")
        return int(guild_id)

    async def get_commands(self, request: web.Request) -> web.Response:
        return json_response(self.state.commands.get(self._command_scope(request), []))

    async def put_commands(self, request: web.Request) -> web.Response:
        scope = self._command_scope(request)
        commands = current_body().json
        if not isinstance(commands, list):
            raise ApiError(400, 50109, "The request body contains invalid JSON.")
        violations = limits.check_commands(commands)
        if violations:
            raise invalid_form(violations)
        previous = {(c["name"], c["type"]): c["id"] for c in self.state.commands.get(scope, [])}
        stored = [self._stored_command(command, scope, previous) for command in commands]
        self.state.commands[scope] = stored
        return json_response(stored)

    def _stored_command(
        self, command: Mapping[str, Any], scope: int | None, previous: Mapping[tuple[str, int], str]
    ) -> JSON:
        kind = int(command.get("type", 1))
        stored: JSON = {
            "type": kind,
            "description": "",
            "options": [],
            "default_member_permissions": None,
            "nsfw": False,
            **command,
            "id": previous.get((command["name"], kind)) or str(self.state.mint()),
            "application_id": str(self.state.application_id),
            "version": str(self.state.mint()),
        }
        if scope is not None:
            stored["guild_id"] = str(scope)
        return stored

    # -- attachments ("CDN") --------------------------------------------------------------

    async def get_attachment(self, request: web.Request) -> web.Response:
        data = self.state.attachments.get(int(request.match_info["attachment_id"]))
        if data is None:
            raise ApiError(404, 0, "404: Not Found")
        return web.Response(body=data, content_type="application/octet-stream")
