"""Per-message edit coalescing: a vote storm becomes a bounded number of edits.

Each key (a message) runs at most one edit at a time and at most one per ``interval``;
requests that arrive meanwhile replace each other, and the edit that finally runs reads the
latest state. A 429 that discord.py could not absorb pushes the next attempt back by its
``retry_after``.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Hashable

import discord

log = logging.getLogger(__name__)

Work = Callable[[], Awaitable[None]]


class _Slot:
    def __init__(self) -> None:
        self.work: Work | None = None
        self.task: asyncio.Task[None] | None = None
        self.not_before = 0.0


class Coalescer:
    def __init__(self, *, interval: float = 1.0, debounce: float = 0.25) -> None:
        self.interval = interval
        self.debounce = debounce
        self.runs = 0  # edits performed, for tests and metrics
        self._slots: dict[Hashable, _Slot] = {}

    def request(self, key: Hashable, work: Work) -> None:
        """Ask for ``work`` on ``key``; only the latest request per key is kept."""
        slot = self._slots.setdefault(key, _Slot())
        slot.work = work
        if slot.task is None or slot.task.done():
            slot.not_before = max(slot.not_before, time.monotonic() + self.debounce)
            slot.task = asyncio.create_task(self._run(key, slot))

    async def _run(self, key: Hashable, slot: _Slot) -> None:
        while slot.work is not None:
            delay = slot.not_before - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            work, slot.work = slot.work, None
            if work is None:
                break
            slot.not_before = time.monotonic() + self.interval
            try:
                await work()
                self.runs += 1
            except (discord.HTTPException, discord.RateLimited) as error:
                retry = _retry_after(error)
                if retry is None:
                    log.warning("edit of %r failed: %s", key, error)
                    continue
                log.info("edit of %r rate limited; retrying in %.2f s", key, retry)
                slot.not_before = time.monotonic() + retry
                slot.work = slot.work or work
            except Exception:
                log.exception("edit of %r failed", key)

    def pending(self) -> bool:
        return any(s.task is not None and not s.task.done() for s in self._slots.values())

    async def drain(self) -> None:
        """Wait until every requested edit has run."""
        while True:
            tasks = [s.task for s in self._slots.values() if s.task and not s.task.done()]
            if not tasks:
                return
            await asyncio.gather(*tasks, return_exceptions=True)

    async def close(self) -> None:
        for slot in self._slots.values():
            if slot.task is not None:
                slot.task.cancel()
        await asyncio.gather(
            *(s.task for s in self._slots.values() if s.task), return_exceptions=True
        )
        self._slots.clear()


def _retry_after(error: discord.HTTPException | discord.RateLimited) -> float | None:
    if isinstance(error, discord.RateLimited):
        return float(error.retry_after)
    if error.status == 429:
        response = getattr(error, "response", None)
        header = response.headers.get("Retry-After") if response is not None else None
        try:
            return max(float(header or 1.0), 0.05)
        except ValueError:
            return 1.0
    return None
