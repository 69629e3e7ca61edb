"""The example AMA (what `make demo` shows) runs as its story says."""

from __future__ import annotations

import re
from pathlib import Path

from click.testing import CliRunner

from qa_core.cli import main

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "ama.jsonl"


def test_the_example_ama_replays_as_scripted(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'demo.db'}"
    result = CliRunner().invoke(main, ["--database", db, "replay", "--report", str(EXAMPLE)])
    assert result.exit_code == 0, result.output
    report, _, transcript = result.output.partition("\n# ")
    refused = [line for line in report.splitlines() if line.startswith("✗")]
    # the only refusals are the spam burst hitting the rate limit
    assert len(refused) == 3 and all("rate_limited" in line for line in refused), refused
    assert "still with the guest" not in report  # every "next" was followed by its answer
    assert re.search(r"asked #\d+ \(pending\) flagged word_filter", report)
    assert re.search(r"rejected #\d+ as abuse \(told the asker", report)
    assert re.search(r"rejected #\d+ as off_topic", report)
    assert re.search(r"looks like #\d+", report)
    assert "merged #" in report and "banned" in report and "anonymous" in report

    answered = re.findall(r"^## (\d+)\. Asked by", transcript, flags=re.M)
    assert answered == [str(n) for n in range(1, 13)]
    assert "Anonymous" in transcript
    # the question kept for the end is the last word
    assert transcript.rstrip().splitlines()[-1].startswith("- ")
    last_answer = transcript.split("## 12.")[1]
    assert "What do you miss most" in last_answer
