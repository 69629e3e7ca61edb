"""The edit coalescer on its own: bounded runs, latest state wins, 429s push back."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace

import discord
from qa_core_discord.coalesce import Coalescer


def too_many_requests(retry_after: str) -> discord.HTTPException:
    response = SimpleNamespace(
        status=429, reason="Too Many Requests", headers={"Retry-After": retry_after}
    )
    return discord.HTTPException(response, {"message": "rate limited", "code": 0})


async def test_a_burst_becomes_a_bounded_number_of_runs_showing_the_latest() -> None:
    coalescer = Coalescer(interval=0.05, debounce=0.01)
    shown: list[int] = []
    state = {"votes": 0}

    async def edit() -> None:
        shown.append(state["votes"])

    loop = asyncio.get_running_loop()
    started = loop.time()
    for _ in range(100):
        state["votes"] += 1
        coalescer.request("message", edit)
        await asyncio.sleep(0.001)
    await coalescer.drain()
    elapsed = loop.time() - started
    assert shown[-1] == 100, "the last run saw the final count"
    assert 1 <= len(shown) <= 2 + elapsed / coalescer.interval, (shown, elapsed)
    assert len(shown) < 100


async def test_keys_are_independent() -> None:
    coalescer = Coalescer(interval=1.0, debounce=0.0)
    ran: list[str] = []

    def work(key: str):  # type: ignore[no-untyped-def]
        async def run() -> None:
            ran.append(key)

        return run

    coalescer.request("a", work("a"))
    coalescer.request("b", work("b"))
    await coalescer.drain()
    assert sorted(ran) == ["a", "b"]


async def test_a_429_is_retried_after_its_retry_after() -> None:
    coalescer = Coalescer(interval=0.0, debounce=0.0)
    attempts: list[float] = []
    loop = asyncio.get_running_loop()

    async def edit() -> None:
        attempts.append(loop.time())
        if len(attempts) == 1:
            raise too_many_requests("0.1")

    coalescer.request("message", edit)
    await coalescer.drain()
    assert len(attempts) == 2 and attempts[1] - attempts[0] >= 0.09
    assert coalescer.runs == 1


async def test_other_failures_are_logged_not_retried_forever(caplog) -> None:  # type: ignore[no-untyped-def]
    coalescer = Coalescer(interval=0.0, debounce=0.0)
    calls = 0

    async def broken() -> None:
        nonlocal calls
        calls += 1
        raise RuntimeError("boom")

    coalescer.request("message", broken)
    await coalescer.drain()
    assert calls == 1 and "boom" in caplog.text
    await coalescer.close()
