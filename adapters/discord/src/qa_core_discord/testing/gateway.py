"""The fake gateway: HELLO, heartbeats, IDENTIFY -> READY + GUILD_CREATE, and dispatches.

Frames are sent as uncompressed text even though discord.py asks for ``zlib-stream``:
discord.py only inflates binary frames and parses text frames as JSON directly.
"""

from __future__ import annotations

import asyncio
import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aiohttp import WSMsgType, web

from .records import ChangeSignal
from .state import (
    JSON,
    THREAD_TYPES,
    FakeGuild,
    FakeState,
    channel_payload,
    iso,
    member_payload,
    role_payload,
    user_payload,
)

DISPATCH, HEARTBEAT, IDENTIFY, RESUME, REQUEST_MEMBERS, HELLO, HEARTBEAT_ACK = 0, 1, 2, 6, 8, 10, 11
HEARTBEAT_INTERVAL_MS = 41_250


@dataclass
class GatewaySession:
    """One client connection; ``ready`` once it has identified or resumed."""

    ws: web.WebSocketResponse
    session_id: str = field(default_factory=lambda: secrets.token_hex(16))
    seq: int = 0
    ready: bool = False
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)

    async def send(self, op: int, data: Any, event: str | None = None) -> None:
        sequence = None
        async with self.lock:
            if op == DISPATCH:
                self.seq += 1
                sequence = self.seq
            frame = {"op": op, "d": data, "s": sequence, "t": event}
            await self.ws.send_str(json.dumps(frame))


class Gateway:
    """Accepts websocket clients and speaks just enough of the gateway protocol."""

    def __init__(self, state: FakeState, signal: ChangeSignal, url: Callable[[], str]) -> None:
        self.state = state
        self.signal = signal
        self.url = url
        self.sessions: list[GatewaySession] = []
        self.identifies: list[JSON] = []

    @property
    def connected(self) -> bool:
        return any(s.ready and not s.ws.closed for s in self.sessions)

    async def handle(self, request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        session = GatewaySession(ws)
        self.sessions.append(session)
        try:
            await session.send(HELLO, {"heartbeat_interval": HEARTBEAT_INTERVAL_MS})
            async for message in ws:
                if message.type == WSMsgType.TEXT:
                    await self._on_frame(session, json.loads(message.data))
        finally:
            self.sessions.remove(session)
            self.signal.fire()
        return ws

    async def _on_frame(self, session: GatewaySession, frame: JSON) -> None:
        op, data = frame.get("op"), frame.get("d") or {}
        if op == HEARTBEAT:
            await session.send(HEARTBEAT_ACK, None)
        elif op == IDENTIFY:
            await self._identify(session, data)
        elif op == RESUME:
            await session.send(DISPATCH, {}, "RESUMED")
            self._mark_ready(session)
        elif op == REQUEST_MEMBERS:
            await self._member_chunks(session, data)

    async def _identify(self, session: GatewaySession, identify: JSON) -> None:
        self.identifies.append(identify)
        await session.send(DISPATCH, self._ready_payload(session, identify), "READY")
        for guild in self.state.guilds.values():
            await session.send(DISPATCH, self.guild_create(guild), "GUILD_CREATE")
        self._mark_ready(session)

    def _mark_ready(self, session: GatewaySession) -> None:
        session.ready = True
        self.signal.fire()

    def _ready_payload(self, session: GatewaySession, identify: JSON) -> JSON:
        me = user_payload(self.state.bot_user) | {
            "verified": True,
            "mfa_enabled": False,
            "flags": 0,
        }
        return {
            "v": 10,
            "user": me,
            "guilds": [{"id": str(g), "unavailable": True} for g in self.state.guilds],
            "session_id": session.session_id,
            # discord.py resumes against this URL, so it must be the fake's own.
            "resume_gateway_url": self.url(),
            "shard": identify.get("shard") or [0, 1],
            "application": {"id": str(self.state.application_id), "flags": 0},
            "private_channels": [],
            "relationships": [],
            "user_settings": {},
        }

    def guild_create(self, guild: FakeGuild) -> JSON:
        channels = [c for c in guild.channels.values() if c.type not in THREAD_TYPES]
        threads = [c for c in guild.channels.values() if c.type in THREAD_TYPES]
        clock = self.state.clock
        return {
            "id": str(guild.id),
            "name": guild.name,
            "icon": None,
            "owner_id": str(guild.owner_id),
            "roles": [role_payload(r) for r in guild.roles.values()],
            "channels": [channel_payload(c, clock) for c in channels],
            "threads": [channel_payload(c, clock) for c in threads],
            "members": [member_payload(m) for m in guild.members.values()],
            # Equal to len(members): discord.py then sees the guild as chunked and does not ask.
            "member_count": len(guild.members),
            "large": False,
            "unavailable": False,
            "joined_at": iso(clock.now()),
            "features": [],
            "emojis": [],
            "stickers": [],
            "voice_states": [],
            "presences": [],
            "stage_instances": [],
            "guild_scheduled_events": [],
            "preferred_locale": "en-US",
            "premium_tier": 0,
            "verification_level": 0,
            "default_message_notifications": 0,
            "explicit_content_filter": 0,
            "mfa_level": 0,
            "nsfw_level": 0,
            "system_channel_id": None,
            "afk_timeout": 300,
        }

    async def _member_chunks(self, session: GatewaySession, request: JSON) -> None:
        guild = self.state.guilds.get(int(request.get("guild_id") or 0))
        members = [member_payload(m) for m in guild.members.values()] if guild else []
        chunk = {
            "guild_id": str(request.get("guild_id")),
            "members": members,
            "chunk_index": 0,
            "chunk_count": 1,
            "nonce": request.get("nonce"),
        }
        await session.send(DISPATCH, chunk, "GUILD_MEMBERS_CHUNK")

    async def dispatch(self, event: str, data: JSON) -> None:
        """Send an event to every identified client; fail loudly when none is connected."""
        targets = [s for s in self.sessions if s.ready and not s.ws.closed]
        if not targets:
            raise RuntimeError(
                f"cannot dispatch {event}: no client has identified with the fake gateway"
            )
        for session in targets:
            await session.send(DISPATCH, data, event)

    async def close(self) -> None:
        for session in list(self.sessions):
            await session.ws.close()
