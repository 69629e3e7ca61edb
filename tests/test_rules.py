"""Pure rules: no engine, no store."""

from __future__ import annotations

from datetime import UTC, datetime

import attrs
import pytest

from qa_core import InvalidState, Person, Question, QuestionState, Session, SessionState, UserRef
from qa_core.models import Actor, Restriction, Role
from qa_core.rules import questions, sessions
from qa_core.rules.permissions import (
    POLICY,
    Action,
    PermissionRequest,
    default_decision,
    effective_roles,
)

T0 = datetime(2026, 1, 1, tzinfo=UTC)
ME = Person(UserRef("t:1", "me"), "Me")


def session(state: SessionState = SessionState.SCHEDULED) -> Session:
    return Session(
        id=1, tenant="t:1", title="t", intro="", state=state, created_by=ME, created_at=T0
    )


def question(state: QuestionState) -> Question:
    return Question(id=1, session_id=1, number=4, author=ME, text="q", state=state, created_at=T0)


@pytest.mark.parametrize(
    ("start", "verb", "end"),
    [
        (SessionState.SCHEDULED, "open", SessionState.LIVE),
        (SessionState.LIVE, "pause", SessionState.PAUSED),
        (SessionState.PAUSED, "resume", SessionState.LIVE),
        (SessionState.SCHEDULED, "close", SessionState.CLOSED),
        (SessionState.PAUSED, "close", SessionState.CLOSED),
        (SessionState.CLOSED, "archive", SessionState.ARCHIVED),
    ],
)
def test_legal_session_transitions(start: SessionState, verb: str, end: SessionState) -> None:
    assert sessions.transition(session(start), verb).state is end


@pytest.mark.parametrize(
    ("start", "verb"),
    [
        (SessionState.LIVE, "open"),
        (SessionState.SCHEDULED, "pause"),
        (SessionState.LIVE, "resume"),
        (SessionState.CLOSED, "open"),
        (SessionState.LIVE, "archive"),
        (SessionState.ARCHIVED, "close"),
    ],
)
def test_illegal_session_transitions_say_why(start: SessionState, verb: str) -> None:
    with pytest.raises(InvalidState, match=f"is {start.value}; it cannot {verb}"):
        sessions.transition(session(start), verb)


def test_every_verb_follows_the_transition_graph() -> None:
    for allowed_from, to in sessions.VERBS.values():
        for state in allowed_from:
            assert to in sessions.TRANSITIONS[state]


def test_closing_takes_the_question_off_stage() -> None:
    live = attrs.evolve(session(SessionState.LIVE), on_stage=9)
    assert sessions.transition(live, "close").on_stage is None
    assert sessions.transition(live, "pause").on_stage == 9


def test_question_rules_name_the_state() -> None:
    with pytest.raises(InvalidState, match="#4 has already been answered; it cannot be withdrawn"):
        questions.ensure_allowed(question(QuestionState.ANSWERED), "withdraw")
    questions.ensure_allowed(question(QuestionState.PENDING), "withdraw")


def test_merged_and_withdrawn_questions_are_dead_ends_except_unmerge() -> None:
    for action, allowed in questions.ALLOWED.items():
        assert QuestionState.WITHDRAWN not in allowed, action
        assert (QuestionState.MERGED in allowed) == (action == "unmerge"), action


def test_permission_policy() -> None:
    actor = Actor(UserRef("t:1", "x"), "X")

    def decide(action: Action, *roles: Role, restriction: Restriction = Restriction.NONE) -> bool:
        return default_decision(
            PermissionRequest(
                actor, action, None, frozenset({Role.PARTICIPANT, *roles}), restriction
            )
        )

    assert decide(Action.ASK) and decide(Action.VOTE)
    assert not decide(Action.MODERATE) and decide(Action.MODERATE, Role.MODERATOR)
    assert decide(Action.ANSWER, Role.GUEST) and not decide(Action.ANSWER, Role.MODERATOR)
    assert not decide(Action.VOTE, Role.HOST, restriction=Restriction.BANNED)
    assert not decide(Action.ASK, restriction=Restriction.MUTED)
    assert decide(Action.VOTE, restriction=Restriction.MUTED)
    assert set(POLICY) == set(Action)


def test_session_roles_add_to_tenant_roles() -> None:
    guest = Person(UserRef("t:1", "g"), "G")
    s = attrs.evolve(session(), guests=(guest,))
    actor = Actor(guest.user, "G", frozenset({Role.MODERATOR}))
    assert effective_roles(actor, s) == {Role.GUEST, Role.MODERATOR, Role.PARTICIPANT}
