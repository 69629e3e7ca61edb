"""The fake's world: clock, snowflakes, guilds, channels, members, messages and interactions.

Everything here is plain data kept in Discord's JSON shapes, with no I/O, so the REST handlers,
the gateway and the tests all read the same thing. Entities are frozen dataclasses; the
containers (guilds, messages, interactions) are mutable because the fake is a stateful server.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

JSON = dict[str, Any]
_T = TypeVar("_T")

DISCORD_EPOCH_MS = 1_420_070_400_000

# Permission bits (developers/topics/permissions), enough to build realistic members.
ADMINISTRATOR = 1 << 3
VIEW_CHANNEL = 1 << 10
SEND_MESSAGES = 1 << 11
MANAGE_MESSAGES = 1 << 13
EMBED_LINKS = 1 << 14
ATTACH_FILES = 1 << 15
READ_MESSAGE_HISTORY = 1 << 16
USE_APPLICATION_COMMANDS = 1 << 31
MANAGE_THREADS = 1 << 34
CREATE_PUBLIC_THREADS = 1 << 35
SEND_MESSAGES_IN_THREADS = 1 << 38
ALL_PERMISSIONS = (1 << 53) - 1

EVERYONE_PERMISSIONS = (
    VIEW_CHANNEL | SEND_MESSAGES | READ_MESSAGE_HISTORY | USE_APPLICATION_COMMANDS
)
MODERATOR_PERMISSIONS = MANAGE_MESSAGES | MANAGE_THREADS
BOT_PERMISSIONS = (
    EVERYONE_PERMISSIONS
    | EMBED_LINKS
    | ATTACH_FILES
    | CREATE_PUBLIC_THREADS
    | SEND_MESSAGES_IN_THREADS
    | MANAGE_THREADS
)

# Message flags (developers/resources/message#message-object-message-flags).
SUPPRESS_EMBEDS = 1 << 2
EPHEMERAL = 1 << 6
LOADING = 1 << 7
IS_COMPONENTS_V2 = 1 << 15

# Channel types.
GUILD_TEXT = 0
DM = 1
PUBLIC_THREAD = 11
PRIVATE_THREAD = 12
THREAD_TYPES = frozenset({10, PUBLIC_THREAD, PRIVATE_THREAD})

# Interaction types and callback types.
APPLICATION_COMMAND = 2
MESSAGE_COMPONENT = 3
AUTOCOMPLETE = 4
MODAL_SUBMIT = 5
CHANNEL_MESSAGE = 4
DEFERRED_CHANNEL_MESSAGE = 5
DEFERRED_UPDATE_MESSAGE = 6
UPDATE_MESSAGE = 7
AUTOCOMPLETE_RESULT = 8
MODAL = 9


class Clock(Protocol):
    """Source of "now" for deadlines, rate-limit windows and snowflakes (epoch seconds)."""

    def now(self) -> float: ...


class FakeClock:
    """Wall clock plus a manual offset.

    Time keeps flowing, so discord.py's real ``asyncio.sleep`` for rate limits still lets the
    fake's windows expire; ``advance`` jumps past the 3 s / 15 min interaction deadlines
    without the test sleeping.
    """

    def __init__(self) -> None:
        self._offset = 0.0

    def now(self) -> float:
        return time.time() + self._offset

    def advance(self, seconds: float) -> None:
        self._offset += seconds


class SnowflakeMinter:
    """Mints unique, increasing ids from the clock.

    discord.py derives ``created_at`` (and so ``Interaction.is_expired()``) from the id, so ids
    must carry the current time or every fake interaction looks stale.
    """

    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._last = 0

    def __call__(self) -> int:
        candidate = (int(self._clock.now() * 1000) - DISCORD_EPOCH_MS) << 22
        self._last = max(candidate, self._last + 1)
        return self._last


@dataclass(frozen=True)
class FakeUser:
    id: int
    username: str
    global_name: str | None = None
    bot: bool = False


@dataclass(frozen=True)
class FakeRole:
    id: int
    name: str
    permissions: int = 0
    position: int = 0
    mentionable: bool = False
    managed: bool = False


@dataclass(frozen=True)
class FakeChannel:
    id: int
    name: str
    type: int = GUILD_TEXT
    guild_id: int | None = None
    parent_id: int | None = None
    position: int = 0
    owner_id: int | None = None
    recipient: FakeUser | None = None


@dataclass(frozen=True)
class FakeMember:
    user: FakeUser
    guild_id: int
    role_ids: tuple[int, ...] = ()
    nick: str | None = None


@dataclass
class FakeGuild:
    """A guild and what it contains; lookups by name keep tests readable."""

    id: int
    name: str
    owner_id: int
    roles: dict[int, FakeRole] = field(default_factory=dict)
    channels: dict[int, FakeChannel] = field(default_factory=dict)
    members: dict[int, FakeMember] = field(default_factory=dict)

    @property
    def everyone(self) -> FakeRole:
        return self.roles[self.id]

    def role(self, name: str) -> FakeRole:
        return _by_name(self.roles.values(), name, lambda r: r.name)

    def channel(self, name: str) -> FakeChannel:
        return _by_name(self.channels.values(), name, lambda c: c.name)

    def member(self, username: str) -> FakeMember:
        return _by_name(self.members.values(), username, lambda m: m.user.username)


def _by_name(items: Iterable[_T], name: str, key: Callable[[_T], str]) -> _T:
    for item in items:
        if key(item) == name:
            return item
    raise KeyError(name)


@dataclass(frozen=True)
class UploadedFile:
    """One multipart file part (``files[n]``) as the client sent it."""

    field: str
    filename: str
    content_type: str
    data: bytes

    @property
    def index(self) -> int | None:
        match = re.fullmatch(r"files\[(\d+)\]", self.field)
        return int(match.group(1)) if match else None


@dataclass(frozen=True)
class CallbackRecord:
    """The accepted initial response to an interaction."""

    type: int
    data: Mapping[str, Any] | None
    files: tuple[UploadedFile, ...] = ()


@dataclass
class InteractionState:
    """Server-side bookkeeping of one interaction: deadline, acknowledgement, its messages."""

    id: int
    token: str
    type: int
    payload: JSON
    created_at: float
    channel_id: int | None
    callback: CallbackRecord | None = None
    original_message_id: int | None = None
    followup_ids: list[int] = field(default_factory=list)

    @property
    def component_message_id(self) -> int | None:
        message = self.payload.get("message")
        return int(message["id"]) if message else None


def iso(seconds: float) -> str:
    return dt.datetime.fromtimestamp(seconds, dt.UTC).isoformat()


def user_payload(user: FakeUser) -> JSON:
    return {
        "id": str(user.id),
        "username": user.username,
        "global_name": user.global_name,
        "discriminator": "0",
        "avatar": None,
        "bot": user.bot,
        "public_flags": 0,
    }


def role_payload(role: FakeRole) -> JSON:
    return {
        "id": str(role.id),
        "name": role.name,
        "color": 0,
        "colors": {"primary_color": 0, "secondary_color": None, "tertiary_color": None},
        "hoist": False,
        "position": role.position,
        "permissions": str(role.permissions),
        "managed": role.managed,
        "mentionable": role.mentionable,
        "flags": 0,
    }


def channel_payload(channel: FakeChannel, clock: Clock) -> JSON:
    payload: JSON = {"id": str(channel.id), "type": channel.type, "last_message_id": None}
    if channel.type == DM:
        recipients = [channel.recipient] if channel.recipient else []
        payload["recipients"] = [user_payload(u) for u in recipients]
        return payload
    payload |= {
        "guild_id": str(channel.guild_id),
        "name": channel.name,
        "position": channel.position,
        "parent_id": str(channel.parent_id) if channel.parent_id else None,
        "permission_overwrites": [],
        "nsfw": False,
        "rate_limit_per_user": 0,
        "topic": None,
    }
    if channel.type in THREAD_TYPES:
        payload |= _thread_fields(channel, clock)
    return payload


def _thread_fields(channel: FakeChannel, clock: Clock) -> JSON:
    return {
        "owner_id": str(channel.owner_id),
        "message_count": 0,
        "member_count": 1,
        "total_message_sent": 0,
        "flags": 0,
        "thread_metadata": {
            "archived": False,
            "auto_archive_duration": 1440,
            "archive_timestamp": iso(clock.now()),
            "locked": False,
            "create_timestamp": iso(clock.now()),
        },
    }


def member_payload(member: FakeMember, *, permissions: int | None = None) -> JSON:
    payload: JSON = {
        "user": user_payload(member.user),
        "roles": [str(r) for r in member.role_ids],
        "nick": member.nick,
        "avatar": None,
        "joined_at": "2024-01-01T00:00:00+00:00",
        "deaf": False,
        "mute": False,
        "flags": 0,
        "pending": False,
    }
    if permissions is not None:
        payload["permissions"] = str(permissions)
    return payload


class FakeState:
    """Users, guilds, channels, messages, commands and interactions of one fake Discord."""

    def __init__(self, clock: Clock, *, bot_name: str = "QA Bot") -> None:
        self.clock = clock
        self.mint = SnowflakeMinter(clock)
        self.application_id = self.mint()
        # Modern applications share the id of their bot user.
        self.bot_user = FakeUser(id=self.application_id, username=bot_name, bot=True)
        self.owner = FakeUser(id=self.mint(), username="app-owner")
        self.users: dict[int, FakeUser] = {u.id: u for u in (self.bot_user, self.owner)}
        self.guilds: dict[int, FakeGuild] = {}
        self.channels: dict[int, FakeChannel] = {}
        self.messages: dict[int, JSON] = {}
        self.channel_messages: dict[int, list[int]] = {}
        self.attachments: dict[int, bytes] = {}
        self.commands: dict[int | None, list[JSON]] = {}
        self.interactions: dict[int, InteractionState] = {}
        self.dm_refused: set[int] = set()
        self.cdn_base = "http://127.0.0.1"

    # -- world building -------------------------------------------------------------------

    def add_user(
        self, username: str, *, global_name: str | None = None, bot: bool = False
    ) -> FakeUser:
        user = FakeUser(id=self.mint(), username=username, global_name=global_name, bot=bot)
        self.users[user.id] = user
        return user

    def add_guild(self, name: str) -> FakeGuild:
        guild = FakeGuild(id=self.mint(), name=name, owner_id=self.owner.id)
        # The @everyone role shares the guild's id.
        guild.roles[guild.id] = FakeRole(
            id=guild.id, name="@everyone", permissions=EVERYONE_PERMISSIONS
        )
        self.guilds[guild.id] = guild
        bot_role = self.add_role(
            guild, self.bot_user.username, permissions=BOT_PERMISSIONS, managed=True
        )
        self.add_member(guild, self.bot_user, roles=(bot_role,))
        return guild

    def add_role(
        self,
        guild: FakeGuild,
        name: str,
        *,
        permissions: int = 0,
        mentionable: bool = False,
        managed: bool = False,
    ) -> FakeRole:
        role = FakeRole(
            id=self.mint(),
            name=name,
            permissions=permissions,
            position=len(guild.roles),
            mentionable=mentionable,
            managed=managed,
        )
        guild.roles[role.id] = role
        return role

    def add_channel(
        self, guild: FakeGuild | None, name: str, *, type: int = GUILD_TEXT, **extra: Any
    ) -> FakeChannel:
        channel = FakeChannel(
            id=extra.pop("id", None) or self.mint(),
            name=name,
            type=type,
            guild_id=guild.id if guild else None,
            position=len(guild.channels) if guild else 0,
            **extra,
        )
        self.channels[channel.id] = channel
        self.channel_messages.setdefault(channel.id, [])
        if guild is not None:
            guild.channels[channel.id] = channel
        return channel

    def add_member(
        self,
        guild: FakeGuild,
        user: FakeUser,
        *,
        roles: Sequence[FakeRole] = (),
        nick: str | None = None,
    ) -> FakeMember:
        self.users[user.id] = user
        member = FakeMember(
            user=user, guild_id=guild.id, role_ids=tuple(r.id for r in roles), nick=nick
        )
        guild.members[user.id] = member
        return member

    def member_permissions(self, member: FakeMember) -> int:
        """Guild-level permissions (no channel overwrites): @everyone plus the member's roles."""
        guild = self.guilds[member.guild_id]
        if member.user.id == guild.owner_id:
            return ALL_PERMISSIONS
        value = guild.everyone.permissions
        for role_id in member.role_ids:
            value |= guild.roles[role_id].permissions
        return ALL_PERMISSIONS if value & ADMINISTRATOR else value

    def dm_channel(self, user: FakeUser) -> FakeChannel:
        for channel in self.channels.values():
            if channel.type == DM and channel.recipient == user:
                return channel
        return self.add_channel(None, "", type=DM, recipient=user)

    # -- messages -------------------------------------------------------------------------

    def channel_messages_of(self, channel_id: int) -> list[JSON]:
        return [self.messages[m] for m in self.channel_messages.get(channel_id, [])]

    def create_message(
        self,
        channel: FakeChannel,
        body: Mapping[str, Any],
        *,
        author: FakeUser,
        files: Sequence[UploadedFile] = (),
        message_type: int = 0,
        webhook_id: int | None = None,
        message_id: int | None = None,
    ) -> JSON:
        now = self.clock.now()
        message: JSON = {
            "id": str(message_id or self.mint()),
            "channel_id": str(channel.id),
            "author": user_payload(author),
            "content": body.get("content") or "",
            "embeds": list(body.get("embeds") or []),
            "components": list(body.get("components") or []),
            "attachments": [],
            "flags": int(body.get("flags") or 0),
            "tts": bool(body.get("tts", False)),
            "mentions": [],
            "mention_roles": [],
            "mention_everyone": False,
            "pinned": False,
            "type": message_type,
            "timestamp": iso(now),
            "edited_timestamp": None,
        }
        message["attachments"] = self._attachments(channel.id, body, files, existing=())
        if channel.guild_id is not None:
            message["guild_id"] = str(channel.guild_id)
        if webhook_id is not None:
            message["webhook_id"] = str(webhook_id)
            message["application_id"] = str(self.application_id)
        if body.get("message_reference"):
            # Discord answers with snowflakes as strings, whatever the client sent.
            message["message_reference"] = {
                k: str(v) if k.endswith("_id") and v is not None else v
                for k, v in body["message_reference"].items()
            }
            message["type"] = 19
        if body.get("nonce") is not None:
            message["nonce"] = body["nonce"]
        self.messages[int(message["id"])] = message
        self.channel_messages.setdefault(channel.id, []).append(int(message["id"]))
        return message

    def edit_message(
        self, message: JSON, body: Mapping[str, Any], files: Sequence[UploadedFile] = ()
    ) -> JSON:
        if "content" in body:
            message["content"] = body["content"] or ""
        for key in ("embeds", "components"):
            if key in body:
                message[key] = list(body[key] or [])
        if body.get("flags") is not None:
            kept = message["flags"] & ~SUPPRESS_EMBEDS
            message["flags"] = kept | (int(body["flags"]) & (SUPPRESS_EMBEDS | IS_COMPONENTS_V2))
        if "attachments" in body or files:
            existing = message["attachments"]
            message["attachments"] = self._attachments(
                int(message["channel_id"]), body, files, existing=existing
            )
        message["edited_timestamp"] = iso(self.clock.now())
        return message

    def delete_message(self, message_id: int) -> None:
        message = self.messages.pop(message_id)
        self.channel_messages[int(message["channel_id"])].remove(message_id)

    def _attachments(
        self,
        channel_id: int,
        body: Mapping[str, Any],
        files: Sequence[UploadedFile],
        *,
        existing: Sequence[JSON],
    ) -> list[JSON]:
        """Resolve ``attachments``: small ids point at ``files[n]``, others keep old ones."""
        uploads = {f.index: f for f in files if f.index is not None}
        declared = body.get("attachments")
        if declared is None:
            declared = [*existing, *({"id": i} for i in sorted(uploads))]
        kept = {int(a["id"]): a for a in existing}
        result: list[JSON] = []
        for entry in declared:
            ident = int(entry["id"])
            if ident in uploads:
                result.append(self._store_attachment(channel_id, uploads[ident], entry))
            elif ident in kept:
                result.append(kept[ident])
        return result

    def _store_attachment(
        self, channel_id: int, upload: UploadedFile, entry: Mapping[str, Any]
    ) -> JSON:
        attachment_id = self.mint()
        filename = entry.get("filename") or upload.filename
        self.attachments[attachment_id] = upload.data
        url = f"{self.cdn_base}/attachments/{channel_id}/{attachment_id}/{filename}"
        payload: JSON = {
            "id": str(attachment_id),
            "filename": filename,
            "size": len(upload.data),
            "url": url,
            "proxy_url": url,
            "content_type": upload.content_type,
        }
        if entry.get("description"):
            payload["description"] = entry["description"]
        return payload

    # -- interactions ---------------------------------------------------------------------

    def new_interaction(self, type: int, payload: JSON, channel_id: int | None) -> InteractionState:
        state = InteractionState(
            id=int(payload["id"]),
            token=secrets.token_urlsafe(24),
            type=type,
            payload=payload,
            created_at=self.clock.now(),
            channel_id=channel_id,
        )
        payload["token"] = state.token
        self.interactions[state.id] = state
        return state

    def interaction_by_token(self, token: str) -> InteractionState | None:
        for state in self.interactions.values():
            if state.token == token:
                return state
        return None
