"""Every hook, exercised through the engine; and a check that none is undocumented or untested."""

from __future__ import annotations

import inspect
import logging
import re
import sys
from collections.abc import Callable, Sequence
from importlib.metadata import entry_points
from pathlib import Path

import pytest
from tests.support import ask, live_session

from qa_core import (
    Action,
    ApproveQuestion,
    CastVote,
    DuplicateSuggestion,
    Engine,
    Event,
    Exporter,
    Flag,
    Hooks,
    ModerationMode,
    NextQuestion,
    PermissionDenied,
    PermissionRequest,
    Question,
    QuestionState,
    Refusal,
    Refused,
    Selection,
    Strategy,
    Submission,
    SubmitQuestion,
    Transcript,
    hookimpl,
    hookspecs,
    make_plugin_manager,
)
from qa_core.stores.memory import MemoryStore
from qa_core.testing import Cast

ROOT = Path(__file__).resolve().parent.parent
HOOKS = sorted(name for name in vars(hookspecs) if name.startswith("qa_"))


def engine_with(*plugins: object, **factory: object) -> Engine:
    pm = make_plugin_manager(load_entrypoints=False, plugins=plugins, **factory)  # type: ignore[arg-type]
    return Engine(MemoryStore(), Hooks(pm))


CAST = Cast()


# -- the meta-tests ------------------------------------------------------------------------------


def test_every_hook_has_a_full_docstring() -> None:
    for name in HOOKS:
        doc = inspect.getdoc(getattr(hookspecs, name)) or ""
        assert re.search(r"Stops at first non-None result|All implementations are called", doc), (
            name
        )
        params = inspect.signature(getattr(hookspecs, name)).parameters
        for param in params:
            assert f":param {param}:" in doc, f"{name} does not document {param}"


def test_every_hook_is_documented_in_docs() -> None:
    docs = (ROOT / "docs" / "hooks.md").read_text()
    missing = [name for name in HOOKS if f"### `{name}`" not in docs]
    assert not missing, f"not in docs/hooks.md: {missing}"


def test_every_hook_is_exercised_here() -> None:
    tests = {name for name in vars(sys.modules[__name__]) if name.startswith("test_")}
    missing = [name for name in HOOKS if f"test_{name}" not in tests]
    assert not missing, f"no test_<hook> for: {missing}"


def test_every_hook_starts_with_qa_and_every_spec_is_found() -> None:
    pm = make_plugin_manager(load_entrypoints=False)
    assert sorted(n for n in dir(pm.hook) if not n.startswith("_")) == HOOKS


# -- one test per hook ----------------------------------------------------------------------------


async def test_qa_startup() -> None:
    class Starter:
        started: list[Engine] = []

        @hookimpl
        async def qa_startup(self, engine: Engine) -> None:
            self.started.append(engine)

    plugin = Starter()
    engine = engine_with(plugin)
    await engine.start()
    assert plugin.started == [engine]


async def test_qa_shutdown(caplog: pytest.LogCaptureFixture) -> None:
    closed: list[str] = []

    class Broken:
        @hookimpl
        def qa_shutdown(self) -> None:
            raise RuntimeError("cannot close")

    class Closer:
        @hookimpl
        async def qa_shutdown(self, engine: Engine) -> None:
            closed.append("closed")

    engine = engine_with(Closer(), Broken())
    with caplog.at_level(logging.ERROR):
        await engine.stop()
    assert closed == ["closed"]
    assert "cannot close" in caplog.text


def shortest_first(selection: Selection) -> list[Question]:
    return sorted(selection.candidates, key=lambda q: (len(q.text), q.id))


async def test_qa_register_strategies() -> None:
    class Strategies:
        @hookimpl
        def qa_register_strategies(self, register: Callable[[str, Strategy], None]) -> None:
            register("shortest", shortest_first)

    engine = engine_with(Strategies())
    assert {"shortest", "top", "hot", "newest", "representative"} <= set(engine.hooks.strategies)
    sid = await live_session(engine, CAST, strategy="shortest")
    await ask(engine, CAST, sid, 1, "A rather long question, is it not, about many things?")
    short = await ask(engine, CAST, sid, 2, "Short one?")
    chosen = await engine.execute(NextQuestion(session_id=sid), CAST.guest)
    assert chosen.question is not None and chosen.question.id == short.id


async def test_qa_register_exporters() -> None:
    def count_lines(transcript: Transcript) -> str:
        return f"{transcript.session.title}: {len(transcript.questions)} questions\n"

    class Exporters:
        @hookimpl
        def qa_register_exporters(self, register: Callable[[str, Exporter], None]) -> None:
            register("count", Exporter(count_lines, full=False, suffix=".txt"))
            register("md", Exporter(count_lines, full=False, suffix=".md"))  # installed wins

    engine = engine_with(Exporters())
    sid = await live_session(engine, CAST)
    await ask(engine, CAST, sid, 1, "How many questions?")
    transcript = await engine.views.transcript(sid, CAST.person(3), full=False)
    assert engine.hooks.exporters["count"].render(transcript) == "AMA with Gil: 1 questions\n"
    assert engine.hooks.exporters["md"].render is count_lines
    assert engine.hooks.exporters["csv"].full


async def test_qa_check_permission() -> None:
    class TrustedVolunteers:
        """Let person 7 moderate, and stop person 8 from voting; the rest as built in."""

        @hookimpl
        def qa_check_permission(self, request: PermissionRequest) -> bool | None:
            if request.action is Action.MODERATE and request.actor.user.id == "p7":
                return True
            if request.action is Action.VOTE and request.actor.user.id == "p8":
                return False
            return None

    engine = engine_with(TrustedVolunteers())
    sid = await live_session(engine, CAST)
    q = await ask(engine, CAST, sid, 1, "Who may approve this?", approve=False)
    await engine.execute(ApproveQuestion(question_id=q.id), CAST.person(7))
    with pytest.raises(PermissionDenied):
        await engine.execute(CastVote(question_id=q.id), CAST.person(8))
    with pytest.raises(PermissionDenied):
        await engine.execute(ApproveQuestion(question_id=q.id), CAST.person(9))


async def test_qa_clean_text() -> None:
    class Expand:
        @hookimpl
        def qa_clean_text(self, text: str) -> str:
            return text.strip().replace(" u ", " you ")

    engine = engine_with(Expand())
    sid = await live_session(engine, CAST)
    q = await ask(engine, CAST, sid, 1, "  Would u do it again?  ")
    assert q.text == "Would you do it again?"


async def test_qa_validate_question() -> None:
    class NoLinks:
        @hookimpl
        def qa_validate_question(self, submission: Submission) -> Refusal | None:
            if "http" in submission.text:
                return Refusal("link", "Links are not allowed in questions.")
            return None

    engine = engine_with(NoLinks())
    sid = await live_session(engine, CAST)
    with pytest.raises(Refused, match="Links are not allowed") as refused:
        await engine.execute(
            SubmitQuestion(session_id=sid, text="See http://spam.example?"), CAST.person(1)
        )
    assert refused.value.reason == "link"
    with pytest.raises(Refused, match="too short|at least"):  # the built-ins still run
        await engine.execute(SubmitQuestion(session_id=sid, text="Hm?"), CAST.person(1))


async def test_qa_flag_question() -> None:
    class Shouting:
        @hookimpl
        def qa_flag_question(self, submission: Submission) -> Flag | None:
            return Flag("shouting", "all caps") if submission.text.isupper() else None

    engine = engine_with(Shouting())
    sid = await live_session(engine, CAST)
    q = await ask(engine, CAST, sid, 1, "WHY IS EVERYTHING SO STUPID", approve=False)
    assert {f.code for f in q.flags} == {"shouting", "word_filter"}


async def test_qa_moderate_question() -> None:
    class TrustHosts:
        @hookimpl
        def qa_moderate_question(
            self, submission: Submission, flags: Sequence[Flag]
        ) -> QuestionState | None:
            return QuestionState.APPROVED if submission.actor.user.id == "p1" else None

    engine = engine_with(TrustHosts())
    sid = await live_session(engine, CAST, moderation=ModerationMode.PRE)
    trusted = await ask(engine, CAST, sid, 1, "Pre-approved question?", approve=False)
    other = await ask(engine, CAST, sid, 2, "Waiting question here?", approve=False)
    assert (trusted.state, other.state) == (QuestionState.APPROVED, QuestionState.PENDING)


async def test_qa_suggest_duplicate() -> None:
    class FirstIsEverything:
        @hookimpl
        def qa_suggest_duplicate(
            self, submission: Submission, candidates: Sequence[Question]
        ) -> DuplicateSuggestion | None:
            first = min(candidates, key=lambda q: q.number, default=None)
            return first and DuplicateSuggestion(first.id, first.number, first.text, 1.0)

    engine = engine_with(FirstIsEverything())
    sid = await live_session(engine, CAST)
    first = await ask(engine, CAST, sid, 1, "What about embassies abroad?")
    out = await engine.execute(
        SubmitQuestion(session_id=sid, text="Tell us about embassy life?"), CAST.person(2)
    )
    assert out.suggestion == DuplicateSuggestion(first.id, 1, first.text, 1.0)


async def test_qa_select_questions() -> None:
    class OldestFirst:
        @hookimpl
        def qa_select_questions(self, selection: Selection) -> Sequence[Question]:
            return sorted(selection.candidates, key=lambda q: q.number)

    engine = engine_with(OldestFirst())
    sid = await live_session(engine, CAST, strategy="top")
    oldest = await ask(engine, CAST, sid, 1, "The oldest question?")
    newer = await ask(engine, CAST, sid, 2, "The newer, popular question?")
    await engine.execute(CastVote(question_id=newer.id), CAST.person(9))
    assert [q.id for q in await engine.views.next_up(sid, CAST.guest)] == [oldest.id, newer.id]


async def test_qa_on_event(caplog: pytest.LogCaptureFixture) -> None:
    seen: list[str] = []

    class Broken:
        @hookimpl
        def qa_on_event(self, event: Event) -> None:
            raise ValueError("observer crashed")

    class Recorder:
        @hookimpl
        async def qa_on_event(self, event: Event, engine: Engine) -> None:
            seen.append(type(event).__name__)

    engine = engine_with(Broken(), Recorder())
    with caplog.at_level(logging.ERROR):
        sid = await live_session(engine, CAST)
        await ask(engine, CAST, sid, 1, "Is anybody listening?")
    assert seen == [
        "SessionCreated",
        "SessionStateChanged",
        "QuestionSubmitted",
        "QuestionApproved",
    ]
    failures = [r for r in caplog.records if "failed in qa_on_event" in r.getMessage()]
    assert len(failures) == 4  # logged every time, never fatal


# -- the manager factory -----------------------------------------------------------------------


async def test_a_builtin_can_be_blocked_by_name() -> None:
    engine = engine_with(block=["qa_core.word_filter"])
    sid = await live_session(engine, CAST)
    q = await ask(engine, CAST, sid, 1, "Why so stupid, my friend?", approve=False)
    assert q.flags == ()


def test_managers_are_independent_and_nothing_loads_at_import() -> None:
    a = make_plugin_manager(load_entrypoints=False)
    b = make_plugin_manager(load_entrypoints=False, block=["qa_core.duplicates"])
    assert a is not b
    assert a.get_plugin("qa_core.duplicates") is not None
    assert b.get_plugin("qa_core.duplicates") is None


def test_installed_plugins_load_from_the_entry_point_group() -> None:
    names = {ep.name for ep in entry_points(group="qa_core")}
    assert "example" in names, "make test installs examples/plugin"
    pm = make_plugin_manager()
    assert pm.get_plugin("example") is not None
    assert "longest_waiting" in Hooks(pm).strategies
    blocked = make_plugin_manager(block=["example"])
    assert blocked.get_plugin("example") is None
