"""A Socket Mode endpoint on loopback that slack_sdk's socket mode clients connect to.

The real flow: the app calls ``apps.connections.open`` with its ``xapp-`` token, gets a
one-time ``wss://`` URL, connects, receives ``{"type": "hello"}``, then gets envelopes
``{"envelope_id", "type": "events_api" | "slash_commands" | "interactive", "payload",
"accepts_response_payload", "retry_attempt", "retry_reason"}`` and must answer each with
``{"envelope_id": ..., "payload": ...?}`` within three seconds. A ``disconnect`` message asks
the client to reconnect. The fake plays the server side and lets a test push envelopes and
await the acks. It runs on the event loop of the ``FakeSlack`` that hosts it.
"""

from __future__ import annotations

import asyncio
import json
import secrets
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from aiohttp import WSMsgType, web

from .signing import EnvelopeType, SlackRequest

LINK_PATH = "/link/"


@dataclass(frozen=True)
class SocketAck:
    """The client's answer to one envelope; ``payload`` is what ``ack(...)`` carried."""

    envelope_id: str
    payload: Mapping[str, Any] | None
    raw: Mapping[str, Any]


class FakeSocketMode:
    """Server side of Socket Mode: hands out connection URLs, sends envelopes, collects acks."""

    def __init__(self, *, app_id: str) -> None:
        self.app_id = app_id
        self.ws_root = "ws://127.0.0.1:0"  # set by FakeSlack once bound
        self.acks: list[SocketAck] = []
        self.sent: list[dict[str, Any]] = []
        self.connection_count = 0
        self._tickets: set[str] = set()
        self._connections: list[web.WebSocketResponse] = []
        self._pending: dict[str, asyncio.Future[SocketAck]] = {}

    def install(self, app: web.Application) -> None:
        """Add the websocket route to the fake's aiohttp application."""
        app.router.add_get(LINK_PATH, self._handle)

    def issue_url(self) -> str:
        """A single-use connection URL, as ``apps.connections.open`` returns."""
        ticket = secrets.token_hex(12)
        self._tickets.add(ticket)
        return f"{self.ws_root}{LINK_PATH}?ticket={ticket}&app_id={self.app_id}"

    @property
    def connected(self) -> bool:
        """Whether a client holds an open connection."""
        return any(not ws.closed for ws in self._connections)

    async def wait_connected(self, timeout: float = 5.0) -> None:
        """Return once a client holds an open connection (``hello`` already sent)."""
        await _poll(lambda: self.connected, timeout, "no Socket Mode client connected")

    async def send_envelope(
        self,
        kind: EnvelopeType,
        payload: Mapping[str, Any],
        *,
        retry_attempt: int | None = None,
        retry_reason: str | None = None,
    ) -> str:
        """Push one envelope to the newest connection; returns its ``envelope_id``."""
        envelope_id = str(uuid.uuid4())
        envelope: dict[str, Any] = {
            "envelope_id": envelope_id,
            "type": kind,
            "payload": dict(payload),
            "accepts_response_payload": kind != "events_api",
        }
        if kind == "events_api":
            # Slack sends these on every events_api envelope, 0 / "" on first delivery.
            envelope["retry_attempt"] = retry_attempt or 0
            envelope["retry_reason"] = retry_reason or ""
        self._pending[envelope_id] = asyncio.get_running_loop().create_future()
        await self._newest().send_str(json.dumps(envelope))
        self.sent.append(envelope)
        return envelope_id

    async def wait_ack(self, envelope_id: str, timeout: float = 5.0) -> SocketAck:
        """The client's ack for ``envelope_id`` (Slack would retry after three seconds)."""
        future = self._pending[envelope_id]
        try:
            return await asyncio.wait_for(asyncio.shield(future), timeout)
        except TimeoutError:
            raise AssertionError(
                f"envelope {envelope_id} was not acknowledged within {timeout}s"
            ) from None

    async def deliver(self, request: SlackRequest, *, timeout: float = 5.0) -> SocketAck:
        """Send a request built by ``SlackRequestFactory`` as an envelope and await its ack."""
        envelope_id = await self.send_envelope(
            request.kind,
            request.payload,
            retry_attempt=request.retry_num,
            retry_reason=request.retry_reason,
        )
        return await self.wait_ack(envelope_id, timeout)

    async def disconnect(self, reason: str = "refresh_requested") -> None:
        """Ask the client to reconnect, as Slack does before recycling a connection."""
        message = {"type": "disconnect", "reason": reason, "debug_info": {"host": "fake-slack"}}
        await self._newest().send_str(json.dumps(message))

    async def close(self) -> None:
        """Close every connection (the client will try to reconnect unless it was closed first)."""
        for ws in list(self._connections):
            await ws.close()
        for future in self._pending.values():
            future.cancel()

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        ticket = request.query.get("ticket", "")
        if ticket not in self._tickets:
            return web.Response(status=401, text="invalid or reused ticket")
        self._tickets.discard(ticket)
        ws = web.WebSocketResponse(autoping=True)
        await ws.prepare(request)
        await ws.send_str(json.dumps(self._hello()))
        self._connections.append(ws)
        self.connection_count += 1
        try:
            async for message in ws:
                if message.type == WSMsgType.TEXT:
                    self._on_client_text(message.data)
        finally:
            self._connections.remove(ws)
        return ws

    def _hello(self) -> dict[str, Any]:
        return {
            "type": "hello",
            "num_connections": len(self._connections) + 1,
            "debug_info": {"host": "fake-slack", "approximate_connection_time": 18060},
            "connection_info": {"app_id": self.app_id},
        }

    def _on_client_text(self, data: str) -> None:
        try:
            message = json.loads(data)
        except ValueError:
            return
        if not isinstance(message, dict) or "envelope_id" not in message:
            return
        ack = SocketAck(str(message["envelope_id"]), message.get("payload"), message)
        self.acks.append(ack)
        future = self._pending.get(ack.envelope_id)
        if future is not None and not future.done():
            future.set_result(ack)

    def _newest(self) -> web.WebSocketResponse:
        open_connections = [ws for ws in self._connections if not ws.closed]
        if not open_connections:
            raise RuntimeError("no Socket Mode client is connected")
        return open_connections[-1]


async def _poll(condition: Callable[[], bool], timeout: float, failure: str) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        if loop.time() > deadline:
            raise AssertionError(failure)
        await asyncio.sleep(0.005)
