"""Vote counts stay exact when votes race: in one process, and across processes."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

from tests.support import ask, live_session

from qa_core import CastVote, Engine, Hooks, make_plugin_manager
from qa_core.stores.sqlite import SQLiteStore
from qa_core.testing import Cast

ROOT = Path(__file__).resolve().parent.parent


async def test_racing_votes_in_one_process(qa_engine: Engine, qa_cast: Cast) -> None:
    sid = await live_session(qa_engine, qa_cast)
    q = await ask(qa_engine, qa_cast, sid, 1, "Does every vote count exactly once?")
    voters = [qa_cast.person(100 + n) for n in range(60)]
    votes = [CastVote(question_id=q.id, up=True) for _ in range(2)]
    await asyncio.gather(*(qa_engine.execute(v, who) for who in voters for v in votes))
    assert (await qa_engine.views.question(q.id, qa_cast.host)).votes == 60
    toggles = [qa_engine.execute(CastVote(question_id=q.id), who) for who in voters[:20]]
    await asyncio.gather(*toggles)
    assert (await qa_engine.views.question(q.id, qa_cast.host)).votes == 40


async def test_processes_sharing_one_sqlite_file(tmp_path: Path) -> None:
    path = str(tmp_path / "shared.db")
    cast = Cast()
    engine = Engine(SQLiteStore(path), Hooks(make_plugin_manager(load_entrypoints=False)))
    sid = await live_session(engine, cast)
    q = await ask(engine, cast, sid, 1, "Four processes, one count?")
    await engine.stop()

    per_process, processes = 40, 4
    children = [
        subprocess.Popen(
            [
                sys.executable,
                str(ROOT / "tests" / "concurrent_voter.py"),
                path,
                str(q.id),
                str(1000 + i * per_process),
                str(per_process),
            ],
            env={**os.environ, "PYTHONPATH": str(ROOT)},
        )
        for i in range(processes)
    ]
    assert [child.wait(timeout=120) for child in children] == [0] * processes

    store = SQLiteStore(path)
    stored = await store.read(lambda tx: tx.question(q.id))
    voters = await store.read(lambda tx: tx.voters(q.id))
    await store.close()
    assert stored is not None and stored.votes == len(voters) == per_process * processes
