"""Child process for test_concurrency.py: cast a range of votes, including repeats."""

from __future__ import annotations

import asyncio
import sys

from qa_core import CastVote, Engine, Hooks, make_plugin_manager
from qa_core.stores.sqlite import SQLiteStore
from qa_core.testing import Cast


async def main(path: str, question_id: int, first: int, count: int) -> None:
    engine = Engine(SQLiteStore(path), Hooks(make_plugin_manager(load_entrypoints=False)))
    cast = Cast()
    for n in range(first, first + count):
        # every voter votes twice with up=True: the second must change nothing
        for _ in range(2):
            await engine.execute(CastVote(question_id=question_id, up=True), cast.person(n))
    await engine.stop()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])))
