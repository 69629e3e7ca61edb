"""Child process for test_crash.py: cast votes forever, printing each acknowledged one."""

from __future__ import annotations

import asyncio
import sys

from qa_core import CastVote, Engine, Hooks, make_plugin_manager
from qa_core.stores.sqlite import SQLiteStore
from qa_core.testing import Cast


async def main(path: str, question_id: int) -> None:
    engine = Engine(SQLiteStore(path), Hooks(make_plugin_manager(load_entrypoints=False)))
    cast = Cast()
    n = 0
    while True:
        voter = cast.person(1000 + n)
        await engine.execute(CastVote(question_id=question_id, up=True), voter)
        print(f"ack {voter.user.id}", flush=True)  # the acknowledgement a platform would get
        n += 1


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], int(sys.argv[2])))
