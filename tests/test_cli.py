"""qa-bot, driven as an operator drives it."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from qa_core.cli import main, redact_url

SCRIPT = [
    {"start": "2026-11-18T18:00:00+00:00"},
    {
        "actor": {"id": "rosa", "name": "Rosa", "role": "host"},
        "command": "create",
        "ref": "ama",
        "args": {
            "title": "AMA with Amb. Okafor",
            "intro": "Thirty years of diplomacy.",
            "guests": [{"id": "okafor", "name": "Amb. Okafor"}],
            "moderators": [{"id": "mia", "name": "Mia"}],
        },
    },
    {"actor": "rosa", "command": "open"},
    {
        "actor": {"id": "ann", "name": "Ann"},
        "command": "ask",
        "ref": "visa",
        "args": {"text": "How long does a visa appeal take?"},
    },
    {
        "actor": {"id": "mia", "name": "Mia", "role": "moderator"},
        "command": "approve",
        "args": {"question": "visa"},
    },
    {
        "actor": {"id": "ben", "name": "Ben"},
        "command": "ask",
        "ref": "visa2",
        "args": {"text": "How long does a visa appeal usually take?"},
    },
    {
        "actor": {"id": "cy", "name": "Cy"},
        "command": "ask",
        "ref": "rude",
        "args": {"text": "You are an idiot"},
    },
    {"actor": "mia", "command": "merge", "args": {"question": "visa2", "into": "visa"}},
    {
        "actor": "mia",
        "command": "reject",
        "args": {"question": "rude", "reason": "abuse", "message": "Please keep it civil."},
    },
    {"actor": "cy", "command": "approve", "args": {"question": "rude"}},
    {
        "actor": {"id": "dee", "name": "Dee"},
        "command": "vote",
        "args": {"question": "#1"},
        "key": "click-1",
    },
    {"actor": "dee", "command": "vote", "args": {"question": "#1"}, "key": "click-1"},
    {"actor": {"id": "okafor", "role": "guest"}, "command": "next"},
    {"actor": "okafor", "command": "answer", "args": {"question": "visa", "text": "Three months."}},
    {"actor": "rosa", "command": "close"},
]


def write_script(tmp_path: Path, lines: list[object]) -> Path:
    path = tmp_path / "script.jsonl"
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n")
    return path


def qa_bot(tmp_path: Path, *args: str, env: dict[str, str] | None = None) -> Result:
    db = f"sqlite:///{tmp_path / 'qa.db'}"
    return CliRunner().invoke(main, ["--database", db, *args], env=env, catch_exceptions=False)


def test_replay_prints_the_transcript(tmp_path: Path) -> None:
    result = qa_bot(tmp_path, "replay", str(write_script(tmp_path, SCRIPT)))
    assert result.exit_code == 0, result.output
    assert result.output.startswith("# AMA with Amb. Okafor")
    assert "## 1. Asked by Ann and Ben (1 vote)" in result.output
    assert "**Amb. Okafor:** Three months." in result.output


def test_replay_report_says_what_became_of_each_command(tmp_path: Path) -> None:
    result = qa_bot(tmp_path, "replay", "--report", str(write_script(tmp_path, SCRIPT)))
    assert result.exit_code == 0, result.output
    report = result.output.split("# AMA")[0]
    lines = {
        int(m.group(1)): line
        for line in report.splitlines()
        if (m := re.match(r"^(?:✗ |  )line\s+(\d+)", line))
    }
    assert "approved #1" in lines[5]
    assert "asked #2 (pending)" in lines[6] and "looks like #1" in lines[6]
    assert "flagged word_filter, not_a_question" in lines[7]
    assert "merged #2 into #1" in lines[8]
    assert 'rejected #3 as abuse (told the asker: "Please keep it civil.")' in lines[9]
    assert lines[10].startswith("✗") and "refused (permission_denied)" in lines[10]
    assert "voted for #1, now 1" in lines[11]
    assert "already done (same key)" in lines[12]
    assert "next: #1 by representative" in lines[13]
    assert "notified 2 asker(s)" in lines[14]


def test_a_malformed_line_names_its_number_and_keeps_what_came_before(tmp_path: Path) -> None:
    vote = {"actor": "ann", "command": "vote", "args": {"question": "nope"}}
    broken = [*SCRIPT[:4], vote, *SCRIPT[4:]]
    result = qa_bot(tmp_path, "replay", str(write_script(tmp_path, broken)))
    assert result.exit_code == 1
    assert "line 5: unknown question 'nope'" in result.output
    assert "the lines before it were kept" in result.output
    listing = qa_bot(tmp_path, "sessions")
    assert "1 questions  AMA with Amb. Okafor" in listing.output


@pytest.mark.parametrize(
    ("line", "reason"),
    [
        ("{not json", "not valid JSON"),
        ("[1, 2]", "each line must be a JSON object"),
        ('{"actor": "x", "command": "fly"}', "unknown command 'fly'"),
        ('{"actor": "x", "command": "ask", "args": {"text": 5}}', '"text" has the wrong type'),
        (
            '{"actor": "x", "command": "reject", "args": {"question": "#1", "reason": "meh"}}',
            '"reason" must be one of spam, abuse',
        ),
        ('{"actor": "x", "command": "open", "colour": 1}', "unknown field(s): colour"),
        ('{"actor": {"id": "x", "role": "king"}, "command": "open"}', "unknown role 'king'"),
    ],
)
def test_malformed_lines(tmp_path: Path, line: str, reason: str) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text("\n".join([json.dumps(SCRIPT[1]), json.dumps(SCRIPT[3]), line]) + "\n")
    result = qa_bot(tmp_path, "replay", str(path))
    assert result.exit_code == 1
    assert f"line 3: {reason}" in result.output


def test_export_audit_sessions_and_import(tmp_path: Path) -> None:
    qa_bot(tmp_path, "replay", str(write_script(tmp_path, SCRIPT)))
    listing = qa_bot(tmp_path, "sessions")
    assert "closed" in listing.output and "3 questions" in listing.output

    out = tmp_path / "t.csv"
    assert qa_bot(tmp_path, "export", "1", "--format", "csv", "--out", str(out)).exit_code == 0
    assert out.read_text().splitlines()[0].startswith("number,state,asked_by")
    bad = qa_bot(tmp_path, "export", "1", "--format", "pdf")
    assert bad.exit_code == 1 and "Unknown format 'pdf'; known: csv, json, md" in bad.output
    assert "There is no session 7" in qa_bot(tmp_path, "export", "7").output

    audit = qa_bot(tmp_path, "audit", "1")
    assert "Mia" in audit.output and "rejected #3 as abuse" in audit.output
    as_json = [
        json.loads(line) for line in qa_bot(tmp_path, "audit", "1", "--json").output.splitlines()
    ]
    assert as_json[0]["kind"] == "SessionCreated"

    exported = tmp_path / "t.json"
    qa_bot(tmp_path, "export", "1", "--format", "json", "--out", str(exported))
    imported = qa_bot(tmp_path, "import", str(exported))
    assert "as session 2" in imported.output
    assert qa_bot(tmp_path, "export", "2").output == qa_bot(tmp_path, "export", "1").output


def test_config_check_names_every_mistake(tmp_path: Path) -> None:
    config = tmp_path / "qa.toml"
    config.write_text(
        '[database]\nurl = "sqlite:///x.db"\ncolour = "red"\n'
        '[defaults]\nmoderation = "sometimes"\nmax_length = -4\n'
        "[screening]\nduplicate_threshold = 3\n"
    )
    result = CliRunner().invoke(main, ["--config", str(config), "config", "check"])
    assert result.exit_code == 1
    for key in (
        "database.colour",
        "defaults.moderation",
        "defaults.max_length",
        "screening.duplicate_threshold",
    ):
        assert f"  {key}:" in result.output, key

    config.write_text('[database]\nurl = "sqlite:///x.db"\n[defaults]\nstrategy = "top"\n')
    ok = CliRunner().invoke(main, ["config", "check"], env={"QA_CORE_CONFIG": str(config)})
    assert ok.exit_code == 0 and "OK (database sqlite:///x.db)" in ok.output


def test_database_url_from_the_environment_is_printed_without_its_password() -> None:
    env = {"QA_CORE_DATABASE_URL": "postgresql://qa:s3cret@db/qa"}
    result = CliRunner().invoke(main, ["config", "check"], env=env)
    assert "postgresql://qa:***@db/qa" in result.output and "s3cret" not in result.output
    assert redact_url("sqlite:///a.db") == "sqlite:///a.db"


def test_purge_forgets_old_idempotency_records(tmp_path: Path) -> None:
    qa_bot(tmp_path, "replay", str(write_script(tmp_path, SCRIPT)))  # one keyed vote, in 2026-11-18
    assert "forgot 1 record(s)" in qa_bot(tmp_path, "purge", "--keep-days", "2").output
    assert "forgot 0 record(s)" in qa_bot(tmp_path, "purge").output
