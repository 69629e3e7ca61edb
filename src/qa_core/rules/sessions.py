"""Session lifecycle: scheduled → live ⇄ paused → closed → archived."""

from __future__ import annotations

import attrs

from ..errors import InvalidState
from ..models import Session, SessionState

_S = SessionState

TRANSITIONS: dict[SessionState, frozenset[SessionState]] = {
    _S.SCHEDULED: frozenset({_S.LIVE, _S.CLOSED}),
    _S.LIVE: frozenset({_S.PAUSED, _S.CLOSED}),
    _S.PAUSED: frozenset({_S.LIVE, _S.CLOSED}),
    _S.CLOSED: frozenset({_S.ARCHIVED}),
    _S.ARCHIVED: frozenset(),
}

# Questions are collected before the event and during a break; only closing stops them.
COLLECTING = frozenset({_S.SCHEDULED, _S.LIVE, _S.PAUSED})
# The guest only takes questions while the session is live.
ON_AIR = frozenset({_S.LIVE})


# What each lifecycle command may start from, and where it leads.
VERBS: dict[str, tuple[frozenset[SessionState], SessionState]] = {
    "open": (frozenset({_S.SCHEDULED}), _S.LIVE),
    "pause": (frozenset({_S.LIVE}), _S.PAUSED),
    "resume": (frozenset({_S.PAUSED}), _S.LIVE),
    "close": (frozenset({_S.SCHEDULED, _S.LIVE, _S.PAUSED}), _S.CLOSED),
    "archive": (frozenset({_S.CLOSED}), _S.ARCHIVED),
}


def transition(session: Session, verb: str) -> Session:
    """Apply a lifecycle verb ("open", "pause"...), or raise InvalidState saying why not."""
    allowed_from, to = VERBS[verb]
    if session.state not in allowed_from:
        raise InvalidState(f"Session {session.id} is {session.state.value}; it cannot {verb} now.")
    assert to in TRANSITIONS[session.state]
    on_stage = None if to in (_S.CLOSED, _S.ARCHIVED) else session.on_stage
    return attrs.evolve(session, state=to, on_stage=on_stage)


def ensure_collecting(session: Session) -> None:
    """Questions, votes and moderation happen only while the session is open."""
    if session.state not in COLLECTING:
        raise InvalidState(f"Session {session.id} is {session.state.value}; nothing can change.")


def ensure_on_air(session: Session) -> None:
    if session.state not in ON_AIR:
        raise InvalidState(
            f"Session {session.id} is {session.state.value}; questions go to the guest "
            "only while it is live."
        )
