"""The example plugin, tested with the fixtures qa-core ships (qa_engine, qa_cast, qa_clock)."""

from __future__ import annotations

import logging
from datetime import timedelta
from importlib.metadata import entry_points

import pytest
from qa_core import (
    AnswerQuestion,
    ApproveQuestion,
    CreateSession,
    DeferQuestion,
    Engine,
    Hooks,
    ModerationMode,
    NextQuestion,
    OpenSession,
    PinQuestion,
    Question,
    QuestionState,
    SessionSettings,
    SubmitQuestion,
    make_plugin_manager,
)
from qa_core.testing import Cast, ManualClock

import qa_example_plugin
from qa_example_plugin import ExamplePlugin, find_links


@pytest.fixture
def example() -> ExamplePlugin:
    return ExamplePlugin()


@pytest.fixture
def qa_plugins(example: ExamplePlugin) -> list[object]:
    return [example]


async def live_session(engine: Engine, cast: Cast, **settings: object) -> int:
    created = await engine.execute(
        CreateSession(
            tenant=cast.tenant,
            title="AMA with Gil",
            intro="Gil was a diplomat for thirty years.",
            guests=(cast.guest.person,),
            moderators=(cast.moderator.person,),
            settings=SessionSettings(**settings),  # type: ignore[arg-type]
        ),
        cast.host,
    )
    assert created.session is not None
    await engine.execute(OpenSession(session_id=created.session.id), cast.host)
    return created.session.id


async def ask(engine: Engine, cast: Cast, sid: int, n: int, text: str) -> Question:
    asked = await engine.execute(SubmitQuestion(session_id=sid, text=text), cast.person(n))
    assert asked.question is not None
    if asked.question.state is not QuestionState.PENDING:
        return asked.question
    approved = await engine.execute(ApproveQuestion(question_id=asked.question.id), cast.moderator)
    assert approved.question is not None
    return approved.question


# -- the link flag -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "links"),
    [
        ("Have you read https://example.org/report?", ["https://example.org/report"]),
        ("Is www.gov.uk/visas up to date?", ["www.gov.uk/visas"]),
        ("My notes are at bit.ly/amb-notes, any thoughts?", ["bit.ly/amb-notes"]),
        ("Is consular work, e.g. visas, different in the U.S.?", []),
        ("Do diplomats use Node.js or Excel?", []),
    ],
)
def test_find_links(text: str, links: list[str]) -> None:
    assert find_links(text) == links


async def test_a_question_with_a_link_is_flagged_and_held(qa_engine: Engine, qa_cast: Cast) -> None:
    sid = await live_session(qa_engine, qa_cast, moderation=ModerationMode.POST)
    linked = await qa_engine.execute(
        SubmitQuestion(session_id=sid, text="What do you make of https://example.org/visa-rules?"),
        qa_cast.person(1),
    )
    plain = await qa_engine.execute(
        SubmitQuestion(session_id=sid, text="What do you make of the new visa rules?"),
        qa_cast.person(2),
    )
    assert linked.question is not None and plain.question is not None
    assert [(f.code, f.detail) for f in linked.question.flags] == [
        ("contains_link", "https://example.org/visa-rules")
    ]
    assert linked.question.state is QuestionState.PENDING  # flagged: a moderator looks first
    assert plain.question.flags == () and plain.question.state is QuestionState.APPROVED


# -- the longest_waiting strategy ----------------------------------------------------------------


async def test_longest_waiting_puts_pinned_first_then_oldest_then_deferred(
    qa_engine: Engine, qa_cast: Cast, qa_clock: ManualClock
) -> None:
    sid = await live_session(qa_engine, qa_cast, strategy="longest_waiting")
    asked = []
    for n in range(1, 6):
        asked.append(await ask(qa_engine, qa_cast, sid, n, f"Question number {n}, what then?"))
        qa_clock.advance(60)
    first, second, third, fourth, fifth = asked
    await qa_engine.execute(PinQuestion(question_id=fourth.id), qa_cast.moderator)
    order = []
    for _ in range(3):
        chosen = await qa_engine.execute(NextQuestion(session_id=sid), qa_cast.host)
        assert chosen.question is not None
        order.append(chosen.question.number)
        if chosen.question.id == first.id:
            await qa_engine.execute(DeferQuestion(question_id=first.id), qa_cast.host)
        else:
            await qa_engine.execute(
                AnswerQuestion(question_id=chosen.question.id, text="Thank you."), qa_cast.guest
            )
    assert order == [fourth.number, first.number, second.number]
    preview = await qa_engine.views.next_up(sid, qa_cast.host, count=5)
    assert [q.number for q in preview] == [third.number, fifth.number, first.number]


# -- the txt exporter ----------------------------------------------------------------------------


async def test_txt_transcript(qa_engine: Engine, qa_cast: Cast, qa_clock: ManualClock) -> None:
    sid = await live_session(qa_engine, qa_cast)
    question = await ask(qa_engine, qa_cast, sid, 1, "What was your hardest posting, and why?")
    await ask(qa_engine, qa_cast, sid, 2, "Which languages do you speak at home?")
    await qa_engine.execute(NextQuestion(session_id=sid), qa_cast.host)
    qa_clock.advance(timedelta(minutes=3).total_seconds())
    answer = "Lima, in my first year. " * 8
    await qa_engine.execute(AnswerQuestion(question_id=question.id, text=answer), qa_cast.guest)
    exporter = qa_engine.hooks.exporters["txt"]
    text = exporter.render(await qa_engine.views.transcript(sid, qa_cast.host, full=False))
    assert text.startswith("AMA with Gil\n============\n")
    assert "1. Person 1 asked (0 votes):" in text
    assert "    What was your hardest posting, and why?" in text
    assert "    Gil Guest: Lima, in my first year." in text
    assert all(len(line) <= 78 for line in text.splitlines())
    assert text.rstrip().endswith("1 question was not reached.")
    assert exporter.suffix == ".txt" and not exporter.full


# -- the event counter ---------------------------------------------------------------------------


async def test_events_are_counted_per_engine(
    qa_engine: Engine, qa_cast: Cast, example: ExamplePlugin, caplog: pytest.LogCaptureFixture
) -> None:
    sid = await live_session(qa_engine, qa_cast)
    await ask(qa_engine, qa_cast, sid, 1, "What was your hardest posting, and why?")
    assert example.counts(qa_engine) == {
        "SessionCreated": 1,
        "SessionStateChanged": 1,
        "QuestionSubmitted": 1,
        "QuestionApproved": 1,
    }
    other = Engine(qa_engine.store, qa_engine.hooks, clock=qa_engine.clock)
    assert example.counts(other) == {}  # same plugin object, separate tally
    with caplog.at_level(logging.INFO, logger="qa_example_plugin"):
        await qa_engine.hooks.shutdown(qa_engine)
    assert "4 events: SessionCreated 1" in caplog.text
    assert example.counts(qa_engine) == {}


# -- installation --------------------------------------------------------------------------------


def test_the_entry_point_loads_the_plugin_object() -> None:
    [entry] = [ep for ep in entry_points(group="qa_core") if ep.name == "example"]
    assert entry.load() is qa_example_plugin.plugin
    hooks = Hooks(make_plugin_manager())
    assert "longest_waiting" in hooks.strategies and "txt" in hooks.exporters
    assert "txt" not in Hooks(make_plugin_manager(block=["example"])).exporters
