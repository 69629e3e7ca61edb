"""The adapter's own state in the core's store: which Slack message shows what.

Kept with ``tx.put_value`` / ``tx.get_value`` under the tenant's scope, so it lives in the
same database as the sessions (and moves with it). Values are small JSON objects.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import attrs

from qa_core import Store, Transaction

# App Home watchers: moderators who opened their Home lately get it refreshed when the queue
# changes. Forgotten this long after their last visit; at most this many per workspace.
HOME_WATCH_DAYS = 14
HOME_WATCHERS_MAX = 100
_WATCHERS = "slack:home-watchers"


@attrs.frozen
class Where:
    """A message: channel and ts."""

    channel: str
    ts: str


@attrs.frozen
class SessionRefs:
    channel: str
    announcement: Where | None = None
    board: Where | None = None


@attrs.frozen
class QuestionRefs:
    public: Where | None = None
    moderation: Where | None = None


def _load(raw: str | None) -> dict[str, Any]:
    try:
        value = json.loads(raw) if raw else {}
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _where(raw: object) -> Where | None:
    if (
        isinstance(raw, dict)
        and isinstance(raw.get("channel"), str)
        and isinstance(raw.get("ts"), str)
    ):
        return Where(channel=raw["channel"], ts=raw["ts"])
    return None


def _dump_where(where: Where | None) -> dict[str, str] | None:
    return None if where is None else {"channel": where.channel, "ts": where.ts}


class AdapterState:
    """Typed access to the adapter's keys in one store."""

    def __init__(self, store: Store) -> None:
        self.store = store

    # -- sessions and channels

    async def bind_session(self, tenant: str, session_id: int, channel: str) -> None:
        def work(tx: Transaction) -> None:
            tx.put_value(tenant, f"slack:session:{session_id}", json.dumps({"channel": channel}))
            tx.put_value(tenant, f"slack:channel:{channel}", str(session_id))

        await self.store.write(work)

    async def session_of_channel(self, tenant: str, channel: str) -> int | None:
        raw = await self.store.read(lambda tx: tx.get_value(tenant, f"slack:channel:{channel}"))
        return int(raw) if raw and raw.isdigit() else None

    async def session_refs(self, tenant: str, session_id: int) -> SessionRefs | None:
        data = _load(
            await self.store.read(lambda tx: tx.get_value(tenant, f"slack:session:{session_id}"))
        )
        if not isinstance(data.get("channel"), str):
            return None
        return SessionRefs(
            channel=data["channel"],
            announcement=_where(data.get("announcement")),
            board=_where(data.get("board")),
        )

    async def set_session_message(
        self, tenant: str, session_id: int, name: str, where: Where
    ) -> None:
        key = f"slack:session:{session_id}"

        def work(tx: Transaction) -> None:
            data = _load(tx.get_value(tenant, key))
            data[name] = _dump_where(where)
            tx.put_value(tenant, key, json.dumps(data))

        await self.store.write(work)

    # -- questions

    async def question_refs(self, tenant: str, question_id: int) -> QuestionRefs:
        data = _load(
            await self.store.read(lambda tx: tx.get_value(tenant, f"slack:question:{question_id}"))
        )
        return QuestionRefs(
            public=_where(data.get("public")), moderation=_where(data.get("moderation"))
        )

    async def set_question_message(
        self, tenant: str, question_id: int, name: str, where: Where
    ) -> None:
        key = f"slack:question:{question_id}"

        def work(tx: Transaction) -> None:
            data = _load(tx.get_value(tenant, key))
            data[name] = _dump_where(where)
            tx.put_value(tenant, key, json.dumps(data))

        await self.store.write(work)

    # -- Events API redeliveries

    async def claim_event(self, tenant: str, event_id: str) -> bool:
        """True the first time ``event_id`` is seen: a retried delivery gets False."""
        key = f"slack:event:{event_id}"
        # Slack retries within an hour; after a day the key is only clutter for `qa-bot purge`.
        until = datetime.now(UTC) + timedelta(days=1)

        def work(tx: Transaction) -> bool:
            if tx.get_value(tenant, key) is not None:
                return False
            tx.put_value(tenant, key, "1", expires_at=until)
            return True

        return await self.store.write(work)

    # -- App Home watchers

    async def watch_home(self, tenant: str, user: str, *, now: datetime | None = None) -> None:
        """Remember that ``user`` opened their App Home (renewing the expiry)."""
        now = now or datetime.now(UTC)
        until = now + timedelta(days=HOME_WATCH_DAYS)

        def work(tx: Transaction) -> None:
            data = _live(_load(tx.get_value(tenant, _WATCHERS)), now)
            data[user] = until.timestamp()
            kept = sorted(data.items(), key=lambda item: item[1])[-HOME_WATCHERS_MAX:]
            tx.put_value(tenant, _WATCHERS, json.dumps(dict(kept)), expires_at=until)

        await self.store.write(work)

    async def unwatch_home(self, tenant: str, user: str, *, now: datetime | None = None) -> None:
        """Forget ``user`` (no longer a moderator); writes only if they were remembered."""
        now = now or datetime.now(UTC)
        if user not in await self.home_watchers(tenant, now=now):
            return

        def work(tx: Transaction) -> None:
            data = _live(_load(tx.get_value(tenant, _WATCHERS)), now)
            data.pop(user, None)
            if not data:
                tx.put_value(tenant, _WATCHERS, None)
                return
            until = datetime.fromtimestamp(max(data.values()), UTC)
            tx.put_value(tenant, _WATCHERS, json.dumps(data), expires_at=until)

        await self.store.write(work)

    async def home_watchers(self, tenant: str, *, now: datetime | None = None) -> list[str]:
        """Users who opened their App Home as moderators and have not expired, oldest first."""
        data = _live(
            _load(await self.store.read(lambda tx: tx.get_value(tenant, _WATCHERS))),
            now or datetime.now(UTC),
        )
        return [user for user, _ in sorted(data.items(), key=lambda item: item[1])]


def _live(data: dict[str, Any], now: datetime) -> dict[str, float]:
    """The watchers whose expiry (a POSIX timestamp) is still ahead of ``now``."""
    stamp = now.timestamp()
    return {
        user: float(until)
        for user, until in data.items()
        if isinstance(until, int | float) and until > stamp
    }
