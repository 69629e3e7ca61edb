"""The demo a person runs with no Discord account: it must run, and show the AMA safely."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from qa_core_discord.testing import demo


async def test_the_demo_runs_an_ama_a_person_can_follow(tmp_path: Path) -> None:
    database = tmp_path / "kept.db"
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "qa_core_discord.testing.demo",
        "--database",
        str(database),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    stdout, stderr = await asyncio.wait_for(process.communicate(), timeout=60)
    output = stdout.decode("utf-8")
    assert process.returncode == 0, output + stderr.decode("utf-8", "replace")

    # The answered question, its answer in #ama, and the anonymous asker told privately.
    assert "🎙️ Now with the guest: **#3** (asked by Anonymous, 12 votes)" in output
    assert "**Answer to #3** by gil" in output
    assert demo.ANSWER[:60] in output
    assert "DM to carol  bot posted" in output and "Your question #3 was answered" in output
    # Moderation, the vote burst's coalesced edits, the closing and the export happened.
    assert "Rejected #4; the asker is told." in output and "Merged #5 into #1." in output
    assert "[▲ Upvote (12)]" in output
    assert "[▲ Upvote (3) (disabled)]" in output and "Closed: final standings" in output
    assert "ama-1.md, first lines:" in output
    # @everyone is shown defused in what the bot posted, and nothing could ping anyone.
    assert "once told @\u200beveryone at the UN" in output
    assert "none could ping anyone" in output and "   ! " not in output
    assert database.exists(), "--database keeps the store"
