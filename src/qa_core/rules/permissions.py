"""Who may do what: the default policy, used by the built-in permission plugin."""

from __future__ import annotations

import enum

import attrs

from ..models import Actor, Question, Restriction, Role, Session


class Action(enum.Enum):
    CONFIGURE_TENANT = "configure_tenant"  # a server's defaults, roles and channels
    CREATE_SESSION = "create_session"
    MANAGE_SESSION = "manage_session"  # open, pause, resume, close, archive, settings
    ASK = "ask"
    VOTE = "vote"
    EDIT_OWN = "edit_own"
    MODERATE = "moderate"  # approve, reject, edit any, merge, pin, tag, ban, mute
    RUN_STAGE = "run_stage"  # next, skip, defer
    ANSWER = "answer"
    READ_AUDIT = "read_audit"
    EXPORT_FULL = "export_full"  # JSON/CSV with anonymous askers' identities
    VIEW = "view"  # the public queue and the Markdown transcript


@attrs.frozen
class PermissionRequest:
    """What a permission hook decides on."""

    actor: Actor
    action: Action
    session: Session | None  # None only for CREATE_SESSION
    roles: frozenset[Role]  # tenant-wide roles plus what the session grants
    restriction: Restriction = Restriction.NONE
    question: Question | None = None  # the question acted on, where there is one


_H, _M, _G, _P = Role.HOST, Role.MODERATOR, Role.GUEST, Role.PARTICIPANT

POLICY: dict[Action, frozenset[Role]] = {
    Action.CONFIGURE_TENANT: frozenset({_H}),
    Action.CREATE_SESSION: frozenset({_H}),
    Action.MANAGE_SESSION: frozenset({_H}),
    Action.ASK: frozenset({_P}),
    Action.VOTE: frozenset({_P}),
    Action.EDIT_OWN: frozenset({_P}),
    Action.MODERATE: frozenset({_H, _M}),
    Action.RUN_STAGE: frozenset({_H, _M, _G}),
    Action.ANSWER: frozenset({_H, _G}),
    Action.READ_AUDIT: frozenset({_H, _M}),
    Action.EXPORT_FULL: frozenset({_H, _M}),
    Action.VIEW: frozenset({_P}),
}


def default_decision(request: PermissionRequest) -> bool:
    if request.restriction is Restriction.BANNED:
        return False
    if request.action is Action.EDIT_OWN:
        question = request.question
        if question is not None and question.author.user != request.actor.user:
            return False
    if request.restriction is Restriction.MUTED and request.action is Action.ASK:
        return False
    return bool(POLICY[request.action] & request.roles)


def effective_roles(actor: Actor, session: Session | None) -> frozenset[Role]:
    roles = actor.roles | {Role.PARTICIPANT}
    if session is not None:
        roles |= session.roles_of(actor.user)
    return frozenset(roles)
