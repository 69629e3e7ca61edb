"""The engine held against a simple model, by Hypothesis.

The model is a few sets and dicts: who voted where, what is merged into what, what was
withdrawn, the session's state. After every step the engine must agree: vote counts equal
the distinct voters of each merge group, merges never double count, unmerge restores, and
a command is refused exactly when the model says it is illegal.
"""

from __future__ import annotations

import asyncio
import tempfile
from collections.abc import Coroutine
from typing import Any, TypeVar

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from qa_core import (
    ArchiveSession,
    CastVote,
    CloseSession,
    Command,
    CreateSession,
    Engine,
    Hooks,
    InvalidInput,
    InvalidState,
    MergeQuestions,
    ModerationMode,
    OpenSession,
    PauseSession,
    QuestionState,
    ResumeSession,
    SessionSettings,
    SubmitQuestion,
    UnmergeQuestion,
    WithdrawQuestion,
    make_plugin_manager,
    open_store,
)
from qa_core.testing import Cast

T = TypeVar("T")
CAST = Cast()
VOTERS = st.integers(min_value=100, max_value=102)  # few voters: overlaps are the point

# The lifecycle as the product promises it: verb -> (states it may start from, state after).
LIFECYCLE = {
    "open": ({"scheduled"}, "live"),
    "pause": ({"live"}, "paused"),
    "resume": ({"paused"}, "live"),
    "close": ({"scheduled", "live", "paused"}, "closed"),
    "archive": ({"closed"}, "archived"),
}
VERB_COMMANDS = {
    "open": OpenSession,
    "pause": PauseSession,
    "resume": ResumeSession,
    "close": CloseSession,
    "archive": ArchiveSession,
}


class EngineModel(RuleBasedStateMachine):
    store_url = "memory:"

    def __init__(self) -> None:
        super().__init__()
        self.loop = asyncio.new_event_loop()
        self.tmp = tempfile.TemporaryDirectory()
        url = self.store_url.replace("{tmp}", self.tmp.name)
        hooks = Hooks(make_plugin_manager(load_entrypoints=False, block=["qa_core.duplicates"]))
        self.engine = Engine(open_store(url), hooks)
        self.questions: list[int] = []
        self.votes: dict[int, set[int]] = {}  # where each vote is stored
        self.merged: dict[int, int] = {}  # duplicate -> what it was merged into directly
        self.withdrawn: set[int] = set()
        self.state = "scheduled"

    def run(self, coro: Coroutine[Any, Any, T]) -> T:
        return self.loop.run_until_complete(coro)

    def execute(self, command: Command, actor_n: int | str, legal: bool) -> None:
        actor = CAST.host if actor_n == "host" else CAST.person(int(actor_n))
        if legal:
            self.run(self.engine.execute(command, actor))
            return
        try:
            self.run(self.engine.execute(command, actor))
        except (InvalidState, InvalidInput):
            return
        raise AssertionError(f"{command} should have been refused")

    def teardown(self) -> None:
        self.run(self.engine.stop())
        self.loop.close()
        self.tmp.cleanup()

    @initialize()
    def create(self) -> None:
        settings = SessionSettings(
            moderation=ModerationMode.POST, rate_limit_seconds=0, min_length=1
        )
        out = self.run(
            self.engine.execute(
                CreateSession(tenant=CAST.tenant, title="model", settings=settings), CAST.host
            )
        )
        assert out.session is not None
        self.session_id = out.session.id
        self.run(self.engine.execute(OpenSession(session_id=self.session_id), CAST.host))
        self.state = "live"

    # -- helpers over the model ---------------------------------------------------------------

    @property
    def collecting(self) -> bool:
        return self.state in ("scheduled", "live", "paused")

    def survivor(self, question: int) -> int:
        while question in self.merged:
            question = self.merged[question]
        return question

    def group(self, root: int) -> list[int]:
        return [q for q in self.questions if self.survivor(q) == root]

    def expected_votes(self, root: int) -> int:
        return len(set().union(*(self.votes[q] for q in self.group(root))))

    def alive(self, question: int) -> bool:
        return question not in self.withdrawn and question not in self.merged

    # -- rules --------------------------------------------------------------------------------

    @rule(author=st.integers(min_value=1, max_value=4))
    def ask(self, author: int) -> None:
        text = f"Question {len(self.questions)} from {author}?"
        if not self.collecting:
            self.execute(SubmitQuestion(session_id=self.session_id, text=text), author, legal=False)
            return
        out = self.run(
            self.engine.execute(
                SubmitQuestion(session_id=self.session_id, text=text), CAST.person(author)
            )
        )
        assert out.question is not None and out.question.state is QuestionState.APPROVED
        self.questions.append(out.question.id)
        self.votes[out.question.id] = set()

    @precondition(lambda self: self.questions)
    @rule(data=st.data(), voter=VOTERS, up=st.sampled_from([None, True, False]))
    def vote(self, data: st.DataObject, voter: int, up: bool | None) -> None:
        clicked = data.draw(st.sampled_from(self.questions))
        root = self.survivor(clicked)
        legal = self.collecting and root not in self.withdrawn
        self.execute(CastVote(question_id=clicked, up=up), voter, legal)
        if not legal:
            return
        group = self.group(root)
        already = any(voter in self.votes[q] for q in group)
        wanted = (not already) if up is None else up
        if wanted and not already:
            self.votes[root].add(voter)
        elif already and not wanted:
            for q in group:
                self.votes[q].discard(voter)

    @precondition(lambda self: len(self.questions) >= 2)
    @rule(data=st.data(), voter=VOTERS)
    def vote_on_two(self, data: st.DataObject, voter: int) -> None:
        """One person upvoting two questions: the overlap that merges must not double count."""
        for _ in range(2):
            self.vote(data, voter, True)

    @precondition(lambda self: len(self.questions) >= 2)
    @rule(data=st.data())
    def merge(self, data: st.DataObject) -> None:
        duplicate = data.draw(st.sampled_from(self.questions))
        into = data.draw(st.sampled_from(self.questions))
        legal = self.collecting and duplicate != into and self.alive(duplicate) and self.alive(into)
        self.execute(MergeQuestions(duplicate_id=duplicate, into_id=into), "host", legal)
        if legal:
            self.merged[duplicate] = into  # its own duplicates stay under it

    @precondition(lambda self: self.questions)
    @rule(data=st.data())
    def unmerge(self, data: st.DataObject) -> None:
        question = data.draw(st.sampled_from(self.questions))
        legal = self.collecting and question in self.merged
        self.execute(UnmergeQuestion(question_id=question), "host", legal)
        if legal:
            del self.merged[question]

    @precondition(lambda self: self.questions)
    @rule(data=st.data())
    def withdraw(self, data: st.DataObject) -> None:
        question = data.draw(st.sampled_from(self.questions))
        author = self.run(self.engine.views.question(question, CAST.host)).author.user.id
        legal = self.collecting and self.alive(question)
        self.execute(WithdrawQuestion(question_id=question), author.removeprefix("p"), legal)
        if legal:
            for child in [q for q, into in self.merged.items() if into == question]:
                del self.merged[child]
            self.withdrawn.add(question)

    # Closing ends every other rule's interest, so the verbs that close are drawn rarely.
    @rule(verb=st.sampled_from(["pause", "resume"] * 4 + ["open", "close", "archive"]))
    def lifecycle(self, verb: str) -> None:
        allowed_from, after = LIFECYCLE[verb]
        legal = self.state in allowed_from
        self.execute(VERB_COMMANDS[verb](session_id=self.session_id), "host", legal)
        if legal:
            self.state = after

    # -- invariants ---------------------------------------------------------------------------

    @invariant()
    def engine_agrees_with_the_model(self) -> None:
        for question_id in self.questions:
            question = self.run(self.engine.views.question(question_id, CAST.host))
            if question_id in self.merged:
                assert question.state is QuestionState.MERGED
                assert question.merged_into == self.survivor(question_id)
            elif question_id in self.withdrawn:
                assert question.state is QuestionState.WITHDRAWN
            else:
                assert question.state is QuestionState.APPROVED
                assert question.votes == self.expected_votes(question_id), question_id

    @invariant()
    def session_state_agrees(self) -> None:
        summary = self.run(self.engine.views.summary(self.session_id, CAST.host))
        assert summary.session.state.value == self.state


EngineModel.TestCase.settings = settings(
    max_examples=80,
    stateful_step_count=50,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
TestEngineOnMemory = EngineModel.TestCase


class SQLiteEngineModel(EngineModel):
    store_url = "sqlite:///{tmp}/model.db"


SQLiteEngineModel.TestCase.settings = settings(
    max_examples=15,
    stateful_step_count=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
TestEngineOnSQLite = SQLiteEngineModel.TestCase
