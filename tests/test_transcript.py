"""Exports: Markdown reads like an AMA, JSON round-trips, CSV is safe in a spreadsheet."""

from __future__ import annotations

import csv
import io
import json

from tests.support import ask, live_session

from qa_core import (
    AnswerQuestion,
    CastVote,
    Engine,
    MergeQuestions,
    NextQuestion,
    RejectQuestion,
    RejectReason,
    Restriction,
    RestrictParticipant,
    TagQuestion,
)
from qa_core.importing import import_transcript
from qa_core.testing import Cast
from qa_core.transcript import render_csv, spreadsheet_safe, transcript_to_dict


async def play(engine: Engine, cast: Cast) -> int:
    sid = await live_session(engine, cast)
    first = await ask(engine, cast, sid, 1, "How did you start in diplomacy?")
    dup = await ask(engine, cast, sid, 2, "How did your diplomatic career begin?", anonymous=True)
    second = await ask(engine, cast, sid, 3, '=HYPERLINK("http://evil") what is your view?')
    await ask(engine, cast, sid, 4, "Still waiting for an answer?")
    spam = await ask(engine, cast, sid, 5, "Buy followers cheap?", approve=False)
    for n in (10, 11, 12):
        await engine.execute(CastVote(question_id=first.id), cast.person(n))
    await engine.execute(CastVote(question_id=dup.id), cast.person(12))
    await engine.execute(MergeQuestions(duplicate_id=dup.id, into_id=first.id), cast.moderator)
    await engine.execute(
        TagQuestion(question_id=first.id, tags=frozenset({"career"})), cast.moderator
    )
    await engine.execute(
        RejectQuestion(question_id=spam.id, reason=RejectReason.SPAM), cast.moderator
    )
    await engine.execute(
        RestrictParticipant(
            session_id=sid, user=cast.person(5).user, restriction=Restriction.BANNED
        ),
        cast.moderator,
    )
    for question, answer in ((first, "By accident, in 1989."), (second, "No comment.")):
        await engine.execute(NextQuestion(session_id=sid), cast.guest)
        await engine.execute(AnswerQuestion(question_id=question.id, text=answer), cast.guest)
    return sid


async def test_markdown_reads_like_a_published_ama(qa_engine: Engine, qa_cast: Cast) -> None:
    sid = await play(qa_engine, qa_cast)
    transcript = await qa_engine.views.transcript(sid, qa_cast.person(40), full=False)
    md = qa_engine.hooks.exporters["md"].render(transcript)
    assert md.startswith("# AMA with Gil\n")
    assert "Gil has been a diplomat for thirty years." in md
    assert "**Guest:** Gil Guest" in md
    assert "## 1. Asked by Person 1 and Anonymous (3 votes · career)" in md
    assert "> How did you start in diplomacy?\n\n**Gil Guest:** By accident, in 1989." in md
    assert md.index("By accident") < md.index("No comment.")  # in the order answered
    assert "*1 question was still waiting" in md
    assert "Buy followers" not in md and "Person 2" not in md


async def test_json_is_complete_and_reimports_to_the_same_record(
    qa_engine: Engine, qa_cast: Cast
) -> None:
    sid = await play(qa_engine, qa_cast)
    original = await qa_engine.views.transcript(sid, qa_cast.host, full=True)
    exported = json.loads(qa_engine.hooks.exporters["json"].render(original))
    assert len(exported["questions"]) == 5
    assert exported["restrictions"][0]["restriction"] == "banned"

    new_id = await import_transcript(qa_engine.store, exported)
    assert new_id != sid
    host = qa_cast.host
    again = transcript_to_dict(await qa_engine.views.transcript(new_id, host, full=True))

    def comparable(data: dict) -> dict:  # type: ignore[type-arg]
        numbers = {q["id"]: q["number"] for q in data["questions"]}
        for q in data["questions"]:
            q["id"], q["session_id"] = q["number"], None
            q["merged_into"] = numbers.get(q["merged_into"])
            q["merged_under"] = numbers.get(q["merged_under"])
        data["session"]["id"] = data["session"]["on_stage"] = None
        return data

    assert comparable(again) == comparable(exported)


async def test_csv_guards_against_formula_injection(qa_engine: Engine, qa_cast: Cast) -> None:
    sid = await play(qa_engine, qa_cast)
    rows = list(
        csv.DictReader(
            io.StringIO(render_csv(await qa_engine.views.transcript(sid, qa_cast.host, full=True)))
        )
    )
    assert rows[2]["text"].startswith("'=HYPERLINK")
    assert rows[1]["merged_into"] == "1" and rows[1]["anonymous"] == "True"
    for raw in ("=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"):
        assert spreadsheet_safe(raw) == "'" + raw
    assert spreadsheet_safe("plain") == "plain" and spreadsheet_safe(None) == ""


async def test_a_participant_cannot_export_identities(qa_engine: Engine, qa_cast: Cast) -> None:
    import pytest

    from qa_core import PermissionDenied

    sid = await play(qa_engine, qa_cast)
    with pytest.raises(PermissionDenied):
        await qa_engine.views.transcript(sid, qa_cast.person(40), full=True)
