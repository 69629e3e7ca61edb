"""A process killed right after acknowledging votes loses none of them."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from tests.support import ask, live_session

from qa_core import Engine, Hooks, make_plugin_manager
from qa_core.stores.sqlite import SQLiteStore
from qa_core.testing import Cast

ACKS_BEFORE_KILL = 300


async def test_acknowledged_votes_survive_kill_9(tmp_path: Path) -> None:
    path = str(tmp_path / "crash.db")
    cast = Cast()
    engine = Engine(SQLiteStore(path), Hooks(make_plugin_manager(load_entrypoints=False)))
    sid = await live_session(engine, cast)
    question = await ask(engine, cast, sid, 1, "Will my vote survive a crash?")
    await engine.stop()

    child = subprocess.Popen(
        [sys.executable, str(Path(__file__).with_name("crash_voter.py")), path, str(question.id)],
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).resolve().parent.parent,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)},
    )
    acked: list[str] = []
    assert child.stdout is not None
    for line in child.stdout:
        acked.append(line.split()[1])
        if len(acked) == ACKS_BEFORE_KILL:
            child.send_signal(signal.SIGKILL)  # mid-stream: the next vote may be half done
            break
    child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL

    reopened = SQLiteStore(path)
    voters = {u.id for u in await reopened.read(lambda tx: tx.voters(question.id))}
    count = (await reopened.read(lambda tx: tx.question(question.id))).votes  # type: ignore[union-attr]
    await reopened.close()
    assert set(acked) <= voters, f"lost {len(set(acked) - voters)} acknowledged votes"
    assert count == len(voters)  # the stored count never disagrees with the votes
