"""The stateful core of the fake Slack Web API: no sockets, just calls in and answers out.

``FakeSlack`` (fake_slack.py) parses HTTP and hands each call to ``WebApi.call``; keeping the
behaviour here makes it testable without a server and keeps the server a thin shell. Error
names are Slack's own (method reference pages); where Slack's behaviour is not documented
the choice is marked. Views live in views.py, response URLs in response_urls.py.
"""

from __future__ import annotations

import itertools
import json
import secrets
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from .channels import Channels
from .errors import ApiError, ApiReply, required
from .limits import check_message
from .ratelimit import RateLimiter
from .records import Message, RecordedCall, Team, UploadedFile, basic_auth
from .response_urls import ResponseUrls
from .views import ViewStore

_JSON_PARAMS = ("blocks", "attachments", "view", "files", "metadata")
_INSTALL_SCOPES = "commands,chat:write,users:read,usergroups:read,im:write,files:write"


@dataclass(frozen=True)
class OAuthClient:
    """The app's OAuth credentials as registered with the fake."""

    client_id: str = "fake-client-id"
    client_secret: str = "fake-client-secret"


@dataclass(frozen=True)
class _Call:
    team: Team | None
    params: dict[str, Any]
    authorization: str | None

    @property
    def bot(self) -> Team:
        assert self.team is not None, "handler requires a bot token"
        return self.team


class WebApi:
    """All workspaces, their state, and the handlers of the Web API methods the fake serves."""

    def __init__(
        self,
        *,
        app_id: str = "A0001",
        app_token: str = "xapp-1-A0001-fake",
        oauth: OAuthClient | None = None,
        limiter: RateLimiter | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.app_id = app_id
        self.app_token = app_token
        self.oauth = oauth or OAuthClient()
        self.limiter = limiter or RateLimiter(clock=clock)
        self.clock = clock
        self.root_url = "http://127.0.0.1:0"  # set by the server once bound
        self.socket_url: Callable[[], str] = lambda: "ws://127.0.0.1:0/link/"
        self.teams: dict[str, Team] = {}
        self.calls: list[RecordedCall] = []
        self.files: dict[str, UploadedFile] = {}
        self._seq = itertools.count(1)
        self.channels = Channels(clock)
        self.views = ViewStore(clock, self._new_id)
        self.response_urls = ResponseUrls(self.channels, self.teams, lambda: self.root_url, clock)
        self._tokens: dict[str, str] = {}
        self._upload_tickets: dict[str, str] = {}
        self._oauth_codes: dict[str, str] = {}
        self._dms: dict[tuple[str, tuple[str, ...]], str] = {}
        self._handlers = self._method_table()

    def _method_table(self) -> dict[str, Callable[[_Call], dict[str, Any]]]:
        return {
            "auth.test": lambda c: c.bot.auth_test(),
            "chat.postMessage": self._chat_post_message,
            "chat.update": self._chat_update,
            "chat.delete": self._chat_delete,
            "chat.postEphemeral": self._chat_post_ephemeral,
            "views.open": lambda c: self.views.open(c.bot, c.params),
            "views.push": lambda c: self.views.push(c.bot, c.params),
            "views.update": lambda c: self.views.update(c.bot, c.params),
            "views.publish": lambda c: self.views.publish(c.bot, c.params),
            "conversations.open": self._conversations_open,
            "users.info": self._users_info,
            "usergroups.users.list": self._usergroups_users_list,
            "files.getUploadURLExternal": self._files_get_upload_url,
            "files.completeUploadExternal": self._files_complete_upload,
            "oauth.v2.access": self._oauth_v2_access,
            "apps.connections.open": lambda c: {"ok": True, "url": self.socket_url()},
        }

    # ----- setup -------------------------------------------------------------------------

    def add_team(
        self, team_id: str, *, name: str | None = None, bot_token: str | None = None
    ) -> Team:
        """Install the app in a workspace; its bot token now authenticates as that team."""
        suffix = team_id.lower()
        team = Team(
            id=team_id,
            name=name or f"Team {team_id}",
            domain=f"qa-{suffix}",
            bot_token=bot_token or f"xoxb-{suffix}-fake",
            bot_user_id=f"U0BOT{team_id}",
            bot_id=f"B0BOT{team_id}",
            app_id=self.app_id,
        )
        self.teams[team_id] = team
        self._tokens[team.bot_token] = team_id
        return team

    def issue_oauth_code(self, team_id: str) -> str:
        """A one-time code that ``oauth.v2.access`` exchanges for ``team_id``'s bot token."""
        if team_id not in self.teams:
            raise KeyError(f"add_team({team_id!r}) first: auth.test must know the token")
        code = f"code-{secrets.token_hex(8)}"
        self._oauth_codes[code] = team_id
        return code

    def new_trigger_id(self, team_id: str, user_id: str) -> str:
        """A trigger id views.open/push accept once, within three seconds."""
        return self.views.new_trigger_id(team_id, user_id)

    def new_response_url(
        self, team_id: str, channel_id: str | None, user_id: str, *, message_ts: str | None = None
    ) -> str:
        """A response_url served by the fake.

        ``message_ts`` names the message that ``replace_original`` / ``delete_original`` edit.
        """
        return self.response_urls.issue(team_id, channel_id, user_id, message_ts=message_ts)

    # ----- entry points ------------------------------------------------------------------

    def call(
        self, method: str, params: dict[str, Any], *, authorization: str | None = None
    ) -> ApiReply:
        """Answer one Web API call and record it (``params``: query and body merged)."""
        params = normalize_params(params)
        team: Team | None = None
        try:
            handler = self._handlers.get(method)
            if handler is None:
                raise ApiError("unknown_method")
            team = self._authenticate(method, params, authorization)
            retry_after = self._rate_limit(method, team, params)
            if retry_after is not None:
                body = {"ok": False, "error": "ratelimited"}
                reply = ApiReply(429, body, {"Retry-After": str(retry_after)})
            else:
                reply = ApiReply(200, handler(_Call(team, params, authorization)))
        except ApiError as err:
            reply = ApiReply(200, err.body)
        team_id = team.id if team else self._team_of_token(params, authorization)
        record = RecordedCall(method, team_id, params, reply.status, reply.body, self.clock())
        self.calls.append(record)
        return reply

    def receive_upload(self, ticket: str, content: bytes) -> bool:
        """Store bytes POSTed to an upload URL; False for an unknown ticket."""
        file_id = self._upload_tickets.pop(ticket, None)
        if file_id is None:
            return False
        self.files[file_id].content = content
        return True

    # ----- plumbing ----------------------------------------------------------------------

    def _authenticate(
        self, method: str, params: dict[str, Any], authorization: str | None
    ) -> Team | None:
        if method == "oauth.v2.access":
            return None  # client credentials, checked by the handler
        token = _bearer(authorization) or params.pop("token", None)
        if not token:
            raise ApiError("not_authed")
        if token == self.app_token:
            if method != "apps.connections.open":
                raise ApiError("not_allowed_token_type")
            return None
        team_id = self._tokens.get(token)
        if team_id is None:
            raise ApiError("invalid_auth")
        if method == "apps.connections.open":
            raise ApiError("not_allowed_token_type")
        return self.teams[team_id]

    def _team_of_token(self, params: Mapping[str, Any], authorization: str | None) -> str | None:
        token = _bearer(authorization) or params.get("token")
        return self._tokens.get(str(token)) if token else None

    def _rate_limit(self, method: str, team: Team | None, params: Mapping[str, Any]) -> int | None:
        key = team.id if team else f"app:{self.app_id}"
        channel = params.get("channel") if method == "chat.postMessage" else None
        return self.limiter.check(method, key, str(channel) if channel else None)

    def _new_id(self, prefix: str) -> str:
        return f"{prefix}{next(self._seq):09d}"

    # ----- chat.* ------------------------------------------------------------------------

    def _chat_post_message(self, call: _Call) -> dict[str, Any]:
        team, p = call.bot, call.params
        channel = required(p, "channel", "channel_not_found")
        _check_message(p)
        message = self.channels.post_as_bot(
            team, channel, p.get("text") or "", p.get("blocks") or [], thread_ts=p.get("thread_ts")
        )
        return {"ok": True, "channel": channel, "ts": message.ts, "message": message.to_api()}

    def _chat_update(self, call: _Call) -> dict[str, Any]:
        team, p = call.bot, call.params
        message = self._own_message(team, p, "cant_update_message")
        _check_message(p)
        if "text" in p:
            message.text = p.get("text") or ""
        if "blocks" in p:
            message.blocks = p.get("blocks") or []
        message.edits += 1
        return {
            "ok": True,
            "channel": message.channel,
            "ts": message.ts,
            "text": message.text,
            "message": message.to_api(),
        }

    def _chat_delete(self, call: _Call) -> dict[str, Any]:
        message = self._own_message(call.bot, call.params, "cant_delete_message")
        message.deleted = True
        return {"ok": True, "channel": message.channel, "ts": message.ts}

    def _chat_post_ephemeral(self, call: _Call) -> dict[str, Any]:
        team, p = call.bot, call.params
        channel = required(p, "channel", "channel_not_found")
        user = required(p, "user", "user_not_in_channel")
        _check_message(p)
        text, blocks = p.get("text") or "", p.get("blocks") or []
        ephemeral = self.channels.post_ephemeral(
            team.id, channel, user, text, blocks, "chat.postEphemeral"
        )
        return {"ok": True, "message_ts": ephemeral.ts}

    def _own_message(self, team: Team, p: Mapping[str, Any], not_own_error: str) -> Message:
        message = self.channels.find(team.id, str(p.get("channel")), p.get("ts"))
        if message is None:
            raise ApiError("message_not_found")
        if message.user != team.bot_user_id:
            raise ApiError(not_own_error)
        return message

    # ----- people ------------------------------------------------------------------------

    def _conversations_open(self, call: _Call) -> dict[str, Any]:
        team, p = call.bot, call.params
        users = [u for u in str(p.get("users") or "").split(",") if u]
        if not users:
            raise ApiError("users_list_not_supplied")
        if any(user not in team.users for user in users):
            raise ApiError("user_not_found")
        key = (team.id, tuple(sorted(users)))
        already_open = key in self._dms
        if not already_open:
            self._dms[key] = self._new_id("D" if len(users) == 1 else "G")
        return {"ok": True, "channel": {"id": self._dms[key]}, "already_open": already_open}

    def _users_info(self, call: _Call) -> dict[str, Any]:
        user = call.bot.users.get(str(call.params.get("user")))
        if user is None:
            raise ApiError("user_not_found")
        return {"ok": True, "user": user}

    def _usergroups_users_list(self, call: _Call) -> dict[str, Any]:
        members = call.bot.usergroups.get(str(call.params.get("usergroup")))
        if members is None:
            raise ApiError("no_such_subteam")
        return {"ok": True, "users": list(members)}

    # ----- files -------------------------------------------------------------------------

    def _files_get_upload_url(self, call: _Call) -> dict[str, Any]:
        p = call.params
        filename = required(p, "filename", "invalid_arguments")
        length = int(p.get("length") or 0)
        if length <= 0:
            raise ApiError("missing_argument")
        upload = UploadedFile(self._new_id("F"), call.bot.id, filename, length)
        self.files[upload.id] = upload
        ticket = secrets.token_hex(12)
        self._upload_tickets[ticket] = upload.id
        upload_url = f"{self.root_url}/upload/v1/{ticket}"
        return {"ok": True, "upload_url": upload_url, "file_id": upload.id}

    def _files_complete_upload(self, call: _Call) -> dict[str, Any]:
        team, p = call.bot, call.params
        entries = p.get("files")
        if not isinstance(entries, list) or not entries:
            raise ApiError("invalid_arguments")
        uploads = [self._uploaded(team, entry) for entry in entries]
        channel = p.get("channel_id")
        for upload, entry in zip(uploads, entries, strict=True):
            upload.title, upload.completed, upload.channel = entry.get("title"), True, channel
        if channel:
            files = [u.to_api() for u in uploads]
            comment = str(p.get("initial_comment") or "")
            thread_ts = p.get("thread_ts")
            self.channels.post_as_bot(
                team, str(channel), comment, [], thread_ts=thread_ts, files=files
            )
        return {"ok": True, "files": [u.to_api() for u in uploads]}

    def _uploaded(self, team: Team, entry: object) -> UploadedFile:
        upload = self.files.get(str(entry.get("id"))) if isinstance(entry, dict) else None
        if upload is None or upload.content is None or upload.team_id != team.id:
            raise ApiError("file_not_found")
        return upload

    # ----- OAuth -------------------------------------------------------------------------

    def _oauth_v2_access(self, call: _Call) -> dict[str, Any]:
        p = call.params
        credentials = basic_auth(call.authorization)
        client_id, client_secret = credentials or (p.get("client_id"), p.get("client_secret"))
        if client_id != self.oauth.client_id:
            raise ApiError("invalid_client_id")
        if client_secret != self.oauth.client_secret:
            raise ApiError("bad_client_secret")
        team_id = self._oauth_codes.pop(str(p.get("code")), None)
        if team_id is None:
            raise ApiError("invalid_code")
        team = self.teams[team_id]
        return {
            "ok": True,
            "app_id": team.app_id,
            "authed_user": {"id": "U0INSTALLER"},
            "scope": _INSTALL_SCOPES,
            "token_type": "bot",
            "access_token": team.bot_token,
            "bot_user_id": team.bot_user_id,
            "team": {"id": team.id, "name": team.name},
            "enterprise": None,
            "is_enterprise_install": False,
        }


def normalize_params(params: dict[str, Any]) -> dict[str, Any]:
    """Parse JSON-in-a-string arguments (form bodies); leave unparseable ones for the handler."""
    out = dict(params)
    for key in _JSON_PARAMS:
        value = out.get(key)
        if isinstance(value, str):
            try:
                out[key] = json.loads(value)
            except ValueError:
                pass
    return out


def _bearer(authorization: str | None) -> str | None:
    if authorization and authorization.startswith("Bearer "):
        return authorization[7:].strip() or None
    return None


def _check_message(p: Mapping[str, Any]) -> None:
    blocks = p.get("blocks")
    if isinstance(blocks, str):  # normalize_params could not parse it
        raise ApiError("invalid_blocks_format")
    rejection = check_message(text=p.get("text"), blocks=blocks, attachments=p.get("attachments"))
    if rejection:
        raise ApiError.from_rejection(rejection)
