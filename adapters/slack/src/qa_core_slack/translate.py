"""Translate: Slack payloads into core commands. Pure, no I/O.

Everything here is untrusted input: ``action_id``, ``value``, ``private_metadata`` and
slash-command text are parsed strictly and refused with a readable :class:`BadInput`.
Component ids share one scheme with the Discord adapter: ``qa:<verb>:<id>``.
"""

from __future__ import annotations

import enum
import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

import attrs

from qa_core import (
    AnswerQuestion,
    ApproveQuestion,
    CastVote,
    CloseSession,
    Command,
    ConfigureTenant,
    CreateSession,
    DeferQuestion,
    EditQuestion,
    MergeQuestions,
    ModerationMode,
    NextQuestion,
    OpenSession,
    PauseSession,
    Person,
    PinQuestion,
    RejectQuestion,
    RejectReason,
    ResumeSession,
    Role,
    SkipQuestion,
    SubmitQuestion,
    TenantSettings,
    UserRef,
)

from .text import readable

PLATFORM = "slack"
MAX_ID = 10**15  # ids are positive integers; anything longer is forged

# Adapter options kept in TenantSettings.options (strings the core never interprets).
OPT_MODERATORS = "moderators"  # comma-separated user ids
OPT_MODERATOR_GROUP = "moderator_group"  # a user group id (S…)
OPT_MOD_CHANNEL = "mod_channel"  # channel id where pending questions are posted
OPT_AMA_CHANNEL = "ama_channel"  # channel id where new AMAs live, wherever /ama create ran


class BadInput(ValueError):
    """A payload or command text we refuse; ``str()`` is shown to the person."""


class Verb(enum.Enum):
    VOTE = "vote"
    UNVOTE = "unvote"
    APPROVE = "approve"
    REJECT = "reject"
    EDIT = "edit"
    MERGE = "merge"
    PIN = "pin"
    UNPIN = "unpin"
    ASK = "ask"  # opens the ask modal for a session
    NEXT = "next"  # puts the next question to the guest
    SKIP = "skip"  # the question on stage will not be answered
    DEFER = "defer"  # the question on stage goes back in the queue


SESSION_VERBS = frozenset({Verb.ASK, Verb.NEXT})
_ACTION_ID = re.compile(r"qa:([a-z]{2,10}):([1-9][0-9]{0,14})")
_VERBS = {v.value: v for v in Verb}


def tenant_of(team_id: str) -> str:
    if not re.fullmatch(r"[TE][A-Z0-9]{1,30}", team_id or ""):
        raise BadInput("This request does not come from a Slack workspace.")
    return f"{PLATFORM}:{team_id}"


def user_ref(team_id: str, user_id: str) -> UserRef:
    if not re.fullmatch(r"[UW][A-Z0-9]{1,30}", user_id or ""):
        raise BadInput("This request does not come from a Slack user.")
    return UserRef(tenant=tenant_of(team_id), id=user_id)


# ----- component ids -------------------------------------------------------------------------


def action_id(verb: Verb, target: int) -> str:
    return f"qa:{verb.value}:{target}"


@attrs.frozen
class Click:
    """A parsed button click: what to do to which question (or session, for ASK/NEXT)."""

    verb: Verb
    target: int


def parse_action(action_id_: object, value: object) -> Click:
    """``qa:<verb>:<id>`` with ``value`` equal to the same id; anything else is forged."""
    if not isinstance(action_id_, str) or len(action_id_) > 64:
        raise BadInput("That button is not one of ours.")
    match = _ACTION_ID.fullmatch(action_id_)
    if match is None or match.group(1) not in _VERBS:
        raise BadInput("That button is not one of ours.")
    target = int(match.group(2))
    if value is not None and value != match.group(2):
        raise BadInput("That button was tampered with.")
    return Click(verb=_VERBS[match.group(1)], target=target)


def parse_id(raw: object, what: str = "question") -> int:
    """A positive id from untrusted text (``private_metadata``, a select's value)."""
    if not isinstance(raw, str) or not re.fullmatch(r"[1-9][0-9]{0,14}", raw):
        raise BadInput(f"That {what} reference is not valid.")
    return int(raw)


def click_command(click: Click, *, key: str) -> Command | None:
    """The command a click runs at once; None for those that open a modal first."""
    q = click.target
    match click.verb:
        case Verb.VOTE:
            return CastVote(question_id=q, up=True, idempotency_key=key)
        case Verb.UNVOTE:
            return CastVote(question_id=q, up=False, idempotency_key=key)
        case Verb.APPROVE:
            return ApproveQuestion(question_id=q, idempotency_key=key)
        case Verb.PIN | Verb.UNPIN:
            return PinQuestion(question_id=q, pinned=click.verb is Verb.PIN, idempotency_key=key)
        case Verb.NEXT:
            return NextQuestion(session_id=q, idempotency_key=key)
        case Verb.SKIP:
            return SkipQuestion(question_id=q, idempotency_key=key)
        case Verb.DEFER:
            return DeferQuestion(question_id=q, idempotency_key=key)
        case _:
            return None


def click_key(body: Mapping[str, Any], action: Mapping[str, Any], user_id: str) -> str:
    """One idempotency key for every click on the same rendering of the same message.

    A double click (or a redelivery) repeats the user, the action and what they saw; a new
    rendering (the message or Home view changed) makes a later click a new one. Votes say
    their direction (up or not), so a repeat is harmless by itself: their key is per click
    (``action_ts``), and voting, unvoting and voting again before the message is re-rendered
    counts.
    """
    container = body.get("container") or {}
    if str(action.get("action_id", "")).startswith(("qa:vote:", "qa:unvote:")):
        material = json.dumps([user_id, action.get("action_id"), action.get("action_ts")])
        return "vote:" + hashlib.sha256(material.encode()).hexdigest()[:32]
    seen: Any
    if container.get("type") == "view":
        view = body.get("view") or {}
        seen = [view.get("id"), view.get("hash")]
    else:
        message = body.get("message") or {}
        seen = [container.get("message_ts"), message.get("blocks"), message.get("edited")]
    material = json.dumps([user_id, action.get("action_id"), seen], sort_keys=True, default=str)
    return "click:" + hashlib.sha256(material.encode()).hexdigest()[:32]


# ----- slash command ---------------------------------------------------------------------------


class Ama(enum.Enum):
    CREATE = "create"
    SCHEDULE = "schedule"
    OPEN = "open"
    PAUSE = "pause"
    RESUME = "resume"
    CLOSE = "close"
    ASK = "ask"
    QUEUE = "queue"
    NEXT = "next"
    ANSWER = "answer"
    EXPORT = "export"
    SETTINGS = "settings"
    HELP = "help"


@attrs.frozen
class AmaRequest:
    """``/ama <verb> …`` parsed; which fields matter depends on the verb."""

    verb: Ama
    text: str = ""  # question or answer text, readable
    title: str = ""
    intro: str = ""
    guests: tuple[str, ...] = ()  # user ids
    when: datetime | None = None
    setting: str = ""
    values: tuple[str, ...] = ()


HELP = (
    "/ama create Title | intro | @guest — start an AMA here (or in the ama-channel)\n"
    "/ama schedule 2026-12-01T18:00Z Title | intro | @guest\n"
    "/ama open · pause · resume · close\n"
    "/ama ask [question] — opens a form (with an anonymous option) without text\n"
    "/ama queue · next · answer text · export\n"
    "/ama settings [moderators @a @b | moderator-group @group | mod-channel #channel |"
    " ama-channel #channel | moderation pre|post | anonymous on|off | strategy NAME]"
)
_USER = re.compile(r"<@([UW][A-Z0-9]+)(?:\|[^>]*)?>|(?<![\w<])([UW][A-Z0-9]{6,})\b")
_GROUP = re.compile(r"<!subteam\^([A-Z0-9]+)(?:\|[^>]*)?>|(?<![\w^])(S[A-Z0-9]{6,})\b")
_CHANNEL = re.compile(r"<#([CG][A-Z0-9]+)(?:\|[^>]*)?>|(?<![\w<])([CG][A-Z0-9]{6,})\b")
SETTINGS = (
    "moderators",
    "moderator-group",
    "mod-channel",
    "ama-channel",
    "moderation",
    "anonymous",
    "strategy",
)
_MENTIONED = {
    "moderators": _USER,
    "moderator-group": _GROUP,
    "mod-channel": _CHANNEL,
    "ama-channel": _CHANNEL,
}


def _ids(pattern: re.Pattern[str], text: str) -> tuple[str, ...]:
    found = (m.group(1) or m.group(2) for m in pattern.finditer(text))
    return tuple(dict.fromkeys(found))


def parse_ama(text: str) -> AmaRequest:
    """Parse the text after ``/ama`` (still in Slack's escaped form)."""
    verb_text, _, rest = text.strip().partition(" ")
    verb_text, rest = verb_text.lower(), rest.strip()
    if not verb_text:
        return AmaRequest(verb=Ama.HELP)
    try:
        verb = Ama(verb_text)
    except ValueError:
        raise BadInput(f"Unknown /ama command {readable(verb_text)!r}. Try /ama help.") from None
    if verb is Ama.SCHEDULE:
        when_text, _, rest = rest.partition(" ")
        return attrs.evolve(_session_fields(verb, rest), when=_parse_when(when_text))
    if verb is Ama.CREATE:
        return _session_fields(verb, rest)
    if verb in (Ama.ASK, Ama.ANSWER):
        return AmaRequest(verb=verb, text=readable(rest))
    if verb is Ama.SETTINGS:
        name, _, values = rest.partition(" ")
        name = name.lower()
        if name and name not in SETTINGS:
            raise BadInput(f"Unknown setting {readable(name)!r}; one of: {', '.join(SETTINGS)}.")
        return AmaRequest(verb=verb, setting=name, values=_setting_values(name, values))
    return AmaRequest(verb=verb)


def _session_fields(verb: Ama, rest: str) -> AmaRequest:
    parts = [p.strip() for p in rest.split("|")]
    title = readable(parts[0]) if parts else ""
    if not title:
        raise BadInput("Give the AMA a title: /ama create Title | intro | @guest")
    intro = readable(parts[1]) if len(parts) > 1 else ""
    guests = _ids(_USER, " ".join(parts[2:])) if len(parts) > 2 else ()
    return AmaRequest(verb=verb, title=title, intro=intro, guests=guests)


def _parse_when(text: str) -> datetime:
    try:
        when = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise BadInput(
            f"{readable(text)!r} is not a date and time like 2026-12-01T18:00Z."
        ) from None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def _setting_values(name: str, values: str) -> tuple[str, ...]:
    values = values.strip()
    if not name:
        return ()
    if values.lower() in ("none", "off") and name in _MENTIONED:
        return ()
    pattern = _MENTIONED.get(name)
    if pattern is not None:
        found = _ids(pattern, values)
        if not found:
            raise BadInput(f"Mention who or which for {name} (or 'none' to clear it).")
        return found
    if not values:
        raise BadInput(f"Give a value for {name}.")
    return (values.split()[0].lower(),)


def session_command(request: AmaRequest, session_id: int, *, key: str) -> Command:
    """Commands about the channel's session: open, pause, resume, close, next."""
    factory: dict[Ama, type[OpenSession | PauseSession | ResumeSession | CloseSession]] = {
        Ama.OPEN: OpenSession,
        Ama.PAUSE: PauseSession,
        Ama.RESUME: ResumeSession,
        Ama.CLOSE: CloseSession,
    }
    if request.verb is Ama.NEXT:
        return NextQuestion(session_id=session_id, idempotency_key=key)
    return factory[request.verb](session_id=session_id, idempotency_key=key)


def create_command(
    request: AmaRequest, tenant: str, guests: Iterable[Person], *, key: str
) -> CreateSession:
    return CreateSession(
        tenant=tenant,
        title=request.title,
        intro=request.intro,
        guests=tuple(guests),
        scheduled_start=request.when,
        idempotency_key=key,
    )


def ask_command(session_id: int, text: str, *, anonymous: bool, key: str) -> SubmitQuestion:
    return SubmitQuestion(
        session_id=session_id, text=text, anonymous=anonymous, idempotency_key=key
    )


def answer_command(question_id: int, text: str, *, key: str) -> AnswerQuestion:
    return AnswerQuestion(question_id=question_id, text=text, idempotency_key=key)


def configure_command(
    request: AmaRequest, tenant: str, current: TenantSettings, *, key: str
) -> ConfigureTenant:
    """``/ama settings NAME VALUES`` as a ConfigureTenant of the adapter options or defaults."""
    name, values = request.setting, request.values
    options: dict[str, str | None] = {}
    defaults = None
    if name == "moderators":
        options[OPT_MODERATORS] = ",".join(values) or None
    elif name == "moderator-group":
        options[OPT_MODERATOR_GROUP] = values[0] if values else None
    elif name == "mod-channel":
        options[OPT_MOD_CHANNEL] = values[0] if values else None
    elif name == "ama-channel":
        options[OPT_AMA_CHANNEL] = values[0] if values else None
    elif name == "moderation":
        try:
            mode = ModerationMode(values[0])
        except ValueError:
            raise BadInput("moderation is 'pre' or 'post'.") from None
        defaults = attrs.evolve(current.defaults, moderation=mode)
    elif name == "anonymous":
        if values[0] not in ("on", "off"):
            raise BadInput("anonymous is 'on' or 'off'.")
        defaults = attrs.evolve(current.defaults, allow_anonymous=values[0] == "on")
    elif name == "strategy":
        defaults = attrs.evolve(current.defaults, strategy=values[0])
    else:
        raise BadInput("Name a setting to change.")
    return ConfigureTenant(
        tenant=tenant, defaults=defaults, options=tuple(options.items()), idempotency_key=key
    )


# ----- modal submissions -----------------------------------------------------------------------


def _state(view: Mapping[str, Any], block: str, action: str) -> Mapping[str, Any]:
    values = ((view.get("state") or {}).get("values") or {}).get(block) or {}
    found = values.get(action)
    return found if isinstance(found, Mapping) else {}


def input_text(view: Mapping[str, Any], block: str, action: str) -> str:
    value = _state(view, block, action).get("value")
    return value if isinstance(value, str) else ""


def selected_value(view: Mapping[str, Any], block: str, action: str) -> str | None:
    option = _state(view, block, action).get("selected_option")
    value = option.get("value") if isinstance(option, Mapping) else None
    return value if isinstance(value, str) else None


def checked(view: Mapping[str, Any], block: str, action: str, value: str) -> bool:
    options = _state(view, block, action).get("selected_options") or []
    return any(isinstance(o, Mapping) and o.get("value") == value for o in options)


def view_key(view: Mapping[str, Any]) -> str:
    return f"view:{view.get('id')}:{view.get('hash', '')}"


def reject_command(view: Mapping[str, Any], *, key: str) -> RejectQuestion:
    question_id = parse_id(view.get("private_metadata"))
    raw = selected_value(view, "reason", "reason") or RejectReason.OTHER.value
    try:
        reason = RejectReason(raw)
    except ValueError:
        raise BadInput("That is not a reason we offer.") from None
    message = input_text(view, "message", "message").strip() or None
    return RejectQuestion(
        question_id=question_id, reason=reason, message=message, idempotency_key=key
    )


def edit_command(view: Mapping[str, Any], *, key: str) -> EditQuestion:
    question_id = parse_id(view.get("private_metadata"))
    return EditQuestion(
        question_id=question_id, text=input_text(view, "text", "text"), idempotency_key=key
    )


def merge_command(view: Mapping[str, Any], *, key: str) -> MergeQuestions:
    duplicate = parse_id(view.get("private_metadata"))
    into = parse_id(selected_value(view, "into", "into"))
    return MergeQuestions(duplicate_id=duplicate, into_id=into, idempotency_key=key)


def ask_submission(view: Mapping[str, Any], *, key: str) -> SubmitQuestion:
    session_id = parse_id(view.get("private_metadata"), "session")
    text = input_text(view, "question", "question")
    anonymous = checked(view, "anonymous", "anonymous", "anonymous")
    return ask_command(session_id, text, anonymous=anonymous, key=key)


# ----- roles -----------------------------------------------------------------------------------


def roles_for(
    user_id: str,
    user_info: Mapping[str, Any] | None,
    settings: TenantSettings,
    group_members: Iterable[str] = (),
) -> frozenset[Role]:
    """Tenant-wide roles: admins and owners host; configured users or group moderate."""
    roles = {Role.PARTICIPANT}
    info = user_info or {}
    if info.get("is_admin") or info.get("is_owner") or info.get("is_primary_owner"):
        roles.add(Role.HOST)
    moderators = (settings.option(OPT_MODERATORS) or "").split(",")
    if user_id in moderators or user_id in set(group_members):
        roles.add(Role.MODERATOR)
    return frozenset(roles)


def display_name(user_info: Mapping[str, Any] | None, fallback: str) -> str:
    info = user_info or {}
    profile = info.get("profile") or {}
    for name in (profile.get("display_name"), profile.get("real_name"), info.get("real_name")):
        if isinstance(name, str) and name.strip():
            return name.strip()[:80]
    return fallback[:80] or "someone"
