"""How the cost of a vote, a question and the views grows with a session (it should not).

    .venv/bin/python bench/bench_store.py [--sizes 1000,10000,100000] [--store sqlite|memory]

Seeds a session with N approved questions directly through the store (fast), then times
real engine commands and views on top of it. Prints a table; asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

from qa_core import (
    CastVote,
    CreateSession,
    Engine,
    Hooks,
    ModerationMode,
    OpenSession,
    Question,
    QuestionState,
    SessionSettings,
    SubmitQuestion,
    make_plugin_manager,
    open_store,
)
from qa_core.ports import Transaction
from qa_core.testing import Cast, ManualClock
from qa_core.text import terms

TOPICS = "visa embassy treaty language career book sanctions climate trade refugee".split()
WORDS = "how why what when would could does long first best hardest favourite advice".split()


def question_text(rng: random.Random) -> str:
    return f"{rng.choice(WORDS).title()} {' '.join(rng.sample(TOPICS, 3))} {rng.randrange(10**6)}?"


async def seed(engine: Engine, cast: Cast, size: int, rng: random.Random) -> tuple[int, list[int]]:
    settings = SessionSettings(moderation=ModerationMode.POST, rate_limit_seconds=0, min_length=1)
    created = await engine.execute(
        CreateSession(
            tenant=cast.tenant,
            title="bench",
            guests=(cast.guest.person,),
            moderators=(cast.moderator.person,),
            settings=settings,
        ),
        cast.host,
    )
    assert created.session is not None
    sid = created.session.id
    await engine.execute(OpenSession(session_id=sid), cast.host)
    now = engine.clock()

    def fill(tx: Transaction) -> list[int]:
        ids = []
        for n in range(size):
            text = question_text(rng)
            author = cast.person(n % 5000).person
            question = Question(
                id=0,
                session_id=sid,
                number=0,
                author=author,
                text=text,
                original_text=text,
                state=QuestionState.APPROVED,
                created_at=now,
            )
            ids.append(tx.add_question(question, terms(text)).id)
        return ids

    ids = await engine.store.write(fill)
    return sid, ids


async def timed(runs: int, step: Callable[[int], Awaitable[object]]) -> tuple[float, float]:
    samples = []
    for i in range(runs):
        start = time.perf_counter()
        await step(i)
        samples.append(time.perf_counter() - start)
    samples.sort()
    return statistics.median(samples) * 1e3, samples[int(len(samples) * 0.95)] * 1e3


async def bench(size: int, store_kind: str, runs: int) -> dict[str, tuple[float, float]]:
    rng = random.Random(size)
    cast, clock = Cast(), ManualClock()
    with tempfile.TemporaryDirectory() as tmp:
        url = "memory:" if store_kind == "memory" else f"sqlite:///{Path(tmp) / 'bench.db'}"
        hooks = Hooks(make_plugin_manager(load_entrypoints=False))
        engine = Engine(open_store(url), hooks, clock=clock)
        sid, ids = await seed(engine, cast, size, rng)
        voters = [cast.person(10_000 + i) for i in range(runs)]
        results = {
            "vote": await timed(
                runs,
                lambda i: engine.execute(CastVote(question_id=rng.choice(ids), up=True), voters[i]),
            ),
            "ask": await timed(
                runs,
                lambda i: engine.execute(
                    SubmitQuestion(session_id=sid, text=question_text(rng)), voters[i]
                ),
            ),
            "public queue page": await timed(
                runs, lambda i: engine.views.public_queue(sid, voters[i])
            ),
            "moderation queue": await timed(
                runs, lambda i: engine.views.moderation_queue(sid, cast.moderator)
            ),
            "summary": await timed(runs, lambda i: engine.views.summary(sid, voters[i])),
            "next-up (representative)": await timed(
                max(runs // 10, 5), lambda i: engine.views.next_up(sid, cast.guest)
            ),
        }
        await engine.stop()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--store", default="sqlite", choices=["sqlite", "memory"])
    parser.add_argument("--runs", type=int, default=300)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    table = {size: asyncio.run(bench(size, args.store, args.runs)) for size in sizes}
    names = list(next(iter(table.values())))
    print(f"store: {args.store}; median / p95 milliseconds over {args.runs} runs per cell")
    print(f"{'operation':<26}" + "".join(f"{f'{s:,} questions':>22}" for s in sizes))
    for name in names:
        cells = "".join(
            f"{f'{table[s][name][0]:.2f} / {table[s][name][1]:.2f}':>22}" for s in sizes
        )
        print(f"{name:<26}{cells}")


if __name__ == "__main__":
    main()
