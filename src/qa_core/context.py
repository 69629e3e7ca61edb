"""What a command handler works with: the transaction, the actor, the time, the hooks."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import attrs

from .errors import NotFound, PermissionDenied
from .events import Event
from .models import Actor, Question, Restriction, Session, SessionSettings
from .plugins import Hooks
from .ports import Transaction
from .rules.permissions import Action, PermissionRequest, effective_roles

_DENIED = {
    Action.CONFIGURE_TENANT: "Only hosts can change this workspace's settings.",
    Action.CREATE_SESSION: "Only hosts can create sessions.",
    Action.MANAGE_SESSION: "Only the session's hosts can do that.",
    Action.ASK: "You cannot ask questions in this session.",
    Action.VOTE: "You cannot vote in this session.",
    Action.EDIT_OWN: "You can only change or withdraw your own questions.",
    Action.MODERATE: "Only moderators can do that.",
    Action.RUN_STAGE: "Only the guest, hosts and moderators can do that.",
    Action.ANSWER: "Only the guest or a host can answer.",
    Action.READ_AUDIT: "Only moderators can read the audit log.",
    Action.EXPORT_FULL: "Only moderators can export the full record.",
    Action.VIEW: "You cannot see this session.",
}
_RESTRICTED = {
    Restriction.BANNED: "You are banned from this session.",
    Restriction.MUTED: "You are muted in this session: you can vote but not ask.",
}


@attrs.define
class Context:
    tx: Transaction
    actor: Actor
    now: datetime
    hooks: Hooks
    defaults: SessionSettings = SessionSettings()  # for sessions created without settings
    events: list[Event] = attrs.Factory(list)

    def session(self, session_id: int) -> Session:
        """The session, if it exists in the actor's tenant; other tenants' look absent."""
        session = self.tx.session(session_id)
        if session is None or session.tenant != self.actor.user.tenant:
            raise NotFound(f"There is no session {session_id}.")
        return session

    def question(self, question_id: int) -> tuple[Question, Session]:
        question = self.tx.question(question_id)
        if question is not None:
            session = self.tx.session(question.session_id)
            if session is not None and session.tenant == self.actor.user.tenant:
                return question, session
        raise NotFound(f"There is no question with id {question_id}.")

    def allowed(
        self, action: Action, session: Session | None, question: Question | None = None
    ) -> bool:
        restriction = (
            Restriction.NONE
            if session is None
            else self.tx.restriction(session.id, self.actor.user)
        )
        request = PermissionRequest(
            actor=self.actor,
            action=action,
            session=session,
            roles=effective_roles(self.actor, session),
            restriction=restriction,
            question=question,
        )
        return self.hooks.check_permission(request)

    def authorize(
        self, action: Action, session: Session | None, question: Question | None = None
    ) -> None:
        if not self.allowed(action, session, question):
            restriction = (
                Restriction.NONE
                if session is None
                else self.tx.restriction(session.id, self.actor.user)
            )
            if restriction is Restriction.BANNED or (
                restriction is Restriction.MUTED and action is Action.ASK
            ):
                raise PermissionDenied(_RESTRICTED[restriction])
            raise PermissionDenied(_DENIED[action])

    def emit(self, event_type: type[Event], session_id: int, **fields: Any) -> None:
        self.events.append(
            event_type(session_id=session_id, actor=self.actor.person, at=self.now, **fields)
        )
