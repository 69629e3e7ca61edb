"""Discord input → qa-core commands. Pure: no I/O, no discord.py objects, no clock.

Everything that arrives from Discord is untrusted: custom ids, option strings, modal values.
Each is parsed here into a command (or an ``InvalidInput`` with a message a person can read);
whether the command is *allowed* is the engine's decision, never this module's.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import attrs

from qa_core import (
    Actor,
    AnswerQuestion,
    ApproveQuestion,
    CastVote,
    CloseSession,
    Command,
    ConfigureTenant,
    CreateSession,
    DeferQuestion,
    EditQuestion,
    InvalidInput,
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
    Session,
    SessionState,
    SkipQuestion,
    SubmitQuestion,
    TenantSettings,
    UserRef,
    WithdrawQuestion,
)

PLATFORM = "discord"
PREFIX = "qa"
MAX_CUSTOM_ID = 100
MAX_ID = 2**63 - 1  # what the store can hold; anything larger is forged

# Tenant options this adapter owns (stored by the core, never interpreted by it).
MODERATOR_ROLES = "moderator_roles"
HOST_ROLES = "host_roles"
AMA_CHANNEL = "ama_channel"
MOD_CHANNEL = "mod_channel"
THREADS = "threads"  # "on": each AMA gets a thread under its announcement

# Button verbs: what they carry ("s": a session id, "q": a question id) and whether the click
# opens a modal instead of running a command at once.
BUTTONS: Mapping[str, tuple[str, bool]] = {
    "ask": ("s", True),
    "vote": ("q", False),
    "approve": ("q", False),
    "reject": ("q", True),
    "edit": ("q", True),
    "merge": ("q", True),
    "mergeinto": ("qq", False),
    "pin": ("q", False),
    "unpin": ("q", False),
    "next": ("s", False),
    "answer": ("q", True),
    "skip": ("q", False),
    "defer": ("q", False),
}
# Modal submits: "qa:m:<verb>:<id>".
MODALS: Mapping[str, str] = {
    "ask": "s",
    "asknow": "g",  # /ama ask without a session: the live one, chosen after the submit
    "reject": "q",
    "edit": "q",
    "merge": "q",
    "answer": "q",
}
# Text-input ids inside the modals.
QUESTION_FIELD = "question"
ANONYMOUS_FIELD = "anonymous"
REASON_FIELD = "reason"
MESSAGE_FIELD = "message"
TEXT_FIELD = "text"
NUMBER_FIELD = "number"

_ID = re.compile(r"[1-9][0-9]{0,18}")
_USER_TOKEN = re.compile(r"<@!?([1-9][0-9]{0,19})>|([1-9][0-9]{0,19})")
_ROLE_TOKEN = re.compile(r"<@&([1-9][0-9]{0,19})>|([1-9][0-9]{0,19})")
_SEPARATORS = re.compile(r"[\s,]+")
_YES = frozenset({"y", "yes", "true", "1", "anonymous", "anon", "oui", "ja", "si", "sí"})
_NO = frozenset({"", "n", "no", "false", "0"})


# -- identity ---------------------------------------------------------------------------


def tenant_of(guild_id: int) -> str:
    return f"{PLATFORM}:{guild_id}"


def user_ref(guild_id: int, user_id: int) -> UserRef:
    return UserRef(tenant=tenant_of(guild_id), id=str(user_id))


def person(guild_id: int, user_id: int, name: str) -> Person:
    return Person(user=user_ref(guild_id, user_id), name=name)


@attrs.frozen
class MemberFacts:
    """What the adapter needs to know about whoever clicked or typed, read from Discord."""

    user_id: int
    name: str
    role_ids: frozenset[int] = frozenset()
    manage_messages: bool = False
    manage_guild: bool = False
    administrator: bool = False


def id_list(value: str | None) -> frozenset[int]:
    """A stored option like "123,456" as ids (anything unparsable is ignored)."""
    if not value:
        return frozenset()
    return frozenset(int(part) for part in value.split(",") if _ID.fullmatch(part.strip()))


def roles_for(member: MemberFacts, settings: TenantSettings) -> frozenset[Role]:
    """Tenant-wide roles: Discord permissions until roles are configured, then the roles.

    Manage Server (or a configured host role) makes a host; Manage Messages makes a moderator
    until moderator roles are configured. Session guests and moderators come from the session.
    """
    roles = {Role.PARTICIPANT}
    host_roles = id_list(settings.option(HOST_ROLES))
    moderator_roles = id_list(settings.option(MODERATOR_ROLES))
    if member.administrator or member.manage_guild or member.role_ids & host_roles:
        roles.add(Role.HOST)
    if moderator_roles:
        if member.role_ids & moderator_roles:
            roles.add(Role.MODERATOR)
    elif member.manage_messages:
        roles.add(Role.MODERATOR)
    return frozenset(roles)


def actor_for(guild_id: int, member: MemberFacts, settings: TenantSettings) -> Actor:
    return Actor(
        user=user_ref(guild_id, member.user_id),
        name=member.name,
        roles=roles_for(member, settings),
    )


# -- custom ids -------------------------------------------------------------------------


@attrs.frozen
class ComponentId:
    """A parsed ``qa:<verb>:<id>[:<id>]`` (or ``qa:m:<verb>:<id>`` for a modal)."""

    verb: str
    ids: tuple[int, ...]
    modal: bool = False

    @property
    def id(self) -> int:
        return self.ids[0]

    def render(self) -> str:
        parts = [PREFIX, *(["m"] if self.modal else []), self.verb, *map(str, self.ids)]
        return ":".join(parts)


def button_id(verb: str, *ids: int) -> str:
    """The custom id of a button; checked like an incoming one so a typo fails loudly."""
    custom_id = ComponentId(verb, ids).render()
    parse_custom_id(custom_id)
    return custom_id


def modal_id(verb: str, target: int) -> str:
    custom_id = ComponentId(verb, (target,), modal=True).render()
    parse_custom_id(custom_id)
    return custom_id


def parse_custom_id(custom_id: object) -> ComponentId:
    """Parse an untrusted custom id, or raise InvalidInput."""
    if not isinstance(custom_id, str) or not 0 < len(custom_id) <= MAX_CUSTOM_ID:
        raise InvalidInput("That button is not one of ours.")
    parts = custom_id.split(":")
    if parts[0] != PREFIX or len(parts) < 3:
        raise InvalidInput("That button is not one of ours.")
    modal = parts[1] == "m"
    verb, raw_ids = (parts[2], parts[3:]) if modal else (parts[1], parts[2:])
    shape = MODALS.get(verb) if modal else (BUTTONS[verb][0] if verb in BUTTONS else None)
    if shape is None or len(raw_ids) != len(shape):
        raise InvalidInput("That button is not one of ours.")
    ids = tuple(_parse_id(raw) for raw in raw_ids)
    return ComponentId(verb, ids, modal=modal)


def _parse_id(raw: str) -> int:
    if not _ID.fullmatch(raw) or int(raw) > MAX_ID:
        raise InvalidInput("That button carries an invalid id.")
    return int(raw)


def opens_modal(component: ComponentId) -> bool:
    return not component.modal and BUTTONS[component.verb][1]


# -- idempotency keys -------------------------------------------------------------------


def interaction_key(interaction_id: int) -> str:
    """The key of a slash command or a modal submit: one per interaction (redeliveries too)."""
    return f"discord-interaction:{interaction_id}"


@attrs.frozen
class SeenMessage:
    """The message a button was clicked on, in the version Discord sent with the click."""

    id: int
    edited: str | None  # its edited_timestamp; None while it was never edited
    shown: Any  # its content, embeds and components (JSON-able)


def click_key(user_id: int, custom_id: str, seen: SeenMessage | None, interaction_id: int) -> str:
    """One idempotency key for every click by one person on one rendering of one button.

    A double click sends two interactions (two ids) that repeat the person, the button and
    the message version, so they share this key and the engine runs the command once (the
    second gets the first's outcome). A redelivery repeats the whole payload: the same key.
    Once the bot has re-rendered the message (every vote edits it), the version differs and a
    click is a new one, so the Upvote toggle takes the vote back as expected. Without the
    message (Discord always sends it with a button click) each interaction is its own key.
    """
    if seen is None:
        return interaction_key(interaction_id)
    material = json.dumps(
        [user_id, custom_id, seen.id, seen.edited, seen.shown],
        sort_keys=True,
        ensure_ascii=False,
        default=str,
    )
    return "discord-click:" + hashlib.sha256(material.encode()).hexdigest()[:40]


def click_command(component: ComponentId, key: str | None) -> Command:
    """The command a button click runs (for buttons that do not open a modal)."""
    if component.modal or opens_modal(component):
        raise InvalidInput("That button opens a form.")
    verb, target = component.verb, component.id
    if verb == "vote":
        return CastVote(question_id=target, up=None, idempotency_key=key)
    if verb == "approve":
        return ApproveQuestion(question_id=target, idempotency_key=key)
    if verb in ("pin", "unpin"):
        return PinQuestion(question_id=target, pinned=verb == "pin", idempotency_key=key)
    if verb == "mergeinto":
        duplicate, into = component.ids
        return MergeQuestions(duplicate_id=duplicate, into_id=into, idempotency_key=key)
    if verb == "next":
        return NextQuestion(session_id=target, idempotency_key=key)
    if verb == "skip":
        return SkipQuestion(question_id=target, idempotency_key=key)
    if verb == "defer":
        return DeferQuestion(question_id=target, idempotency_key=key)
    raise InvalidInput("That button is not one of ours.")  # pragma: no cover - table above


# -- modals -----------------------------------------------------------------------------


def modal_values(data: Mapping[str, Any]) -> dict[str, str]:
    """Text-input values of a modal submit, from rows or labels, by custom id."""
    found: dict[str, str] = {}

    def walk(components: Iterable[Any]) -> None:
        for component in components:
            if not isinstance(component, Mapping):
                continue
            if component.get("type") == 4 and isinstance(component.get("custom_id"), str):
                value = component.get("value")
                found[component["custom_id"]] = value if isinstance(value, str) else ""
            nested = component.get("components")
            if isinstance(nested, list):
                walk(nested)
            inner = component.get("component")
            if isinstance(inner, Mapping):
                walk([inner])

    components = data.get("components")
    walk(components if isinstance(components, list) else [])
    return found


def yes_no(value: str) -> bool:
    text = value.strip().casefold()
    if text in _YES:
        return True
    if text in _NO:
        return False
    raise InvalidInput("Answer the anonymous field with yes or no (or leave it empty).")


def reject_reason(value: str | None) -> RejectReason:
    text = (value or "").strip().casefold().replace(" ", "_").replace("-", "_")
    if not text:
        return RejectReason.OTHER
    for reason in RejectReason:
        if text == reason.value:
            return reason
    known = ", ".join(r.value for r in RejectReason)
    raise InvalidInput(f"Unknown reason {value!r}; use one of: {known}.")


def question_number(value: str) -> int:
    text = value.strip().lstrip("#")
    if not _ID.fullmatch(text) or len(text) > 9:
        raise InvalidInput(f"{value!r} is not a question number (like 12 or #12).")
    return int(text)


@attrs.frozen
class MergeByNumber:
    """A merge asked for by the visible number of the surviving question (glue looks it up)."""

    duplicate_id: int
    into_number: int


def modal_command(
    component: ComponentId,
    values: Mapping[str, str],
    key: str | None,
    *,
    current_session: int | None = None,
) -> Command | MergeByNumber:
    """The command a submitted modal runs (``current_session``: for "asknow" forms)."""
    if not component.modal:
        raise InvalidInput("That form is not one of ours.")
    verb, target = component.verb, component.id
    if verb in ("ask", "asknow"):
        if verb == "asknow":
            if current_session is None:
                raise InvalidInput("There is no open AMA here; create one with /ama create.")
            target = current_session
        return SubmitQuestion(
            session_id=target,
            text=values.get(QUESTION_FIELD, ""),
            anonymous=yes_no(values.get(ANONYMOUS_FIELD, "")),
            idempotency_key=key,
        )
    if verb == "reject":
        message = values.get(MESSAGE_FIELD, "").strip() or None
        return RejectQuestion(
            question_id=target,
            reason=reject_reason(values.get(REASON_FIELD)),
            message=message,
            idempotency_key=key,
        )
    if verb == "edit":
        return EditQuestion(
            question_id=target, text=values.get(TEXT_FIELD, ""), idempotency_key=key
        )
    if verb == "answer":
        return AnswerQuestion(
            question_id=target, text=values.get(TEXT_FIELD, ""), idempotency_key=key
        )
    if verb == "merge":
        return MergeByNumber(target, question_number(values.get(NUMBER_FIELD, "")))
    raise InvalidInput("That form is not one of ours.")  # pragma: no cover - table above


# -- slash-command options --------------------------------------------------------------


def _tokens(text: str | None, pattern: re.Pattern[str], what: str) -> list[int]:
    found: list[int] = []
    for token in _SEPARATORS.split(text or ""):
        if not token:
            continue
        match = pattern.fullmatch(token)
        if match is None or int(match.group(1) or match.group(2)) > MAX_ID:
            raise InvalidInput(f"Could not read {token[:50]!r}: mention {what} like @name.")
        found.append(int(match.group(1) or match.group(2)))
    return list(dict.fromkeys(found))


def user_ids(text: str | None) -> list[int]:
    """User mentions (``<@123>``) or bare ids in a free-text option, in order, unique."""
    return _tokens(text, _USER_TOKEN, "people")


def role_ids(text: str | None) -> list[int]:
    """Role mentions (``<@&123>``) or bare ids, in order, unique."""
    return _tokens(text, _ROLE_TOKEN, "roles")


def start_time(text: str | None) -> datetime | None:
    """An ISO 8601 start ("2026-12-01 18:00", UTC unless an offset is given)."""
    if not text or not text.strip():
        return None
    try:
        parsed = datetime.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInput(
            f"{text[:40]!r} is not a date and time; write it like 2026-12-01 18:00."
        ) from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def create_command(
    tenant: str,
    *,
    title: str,
    intro: str | None,
    guests: Sequence[Person],
    moderators: Sequence[Person],
    start: str | None,
    key: str | None,
) -> CreateSession:
    return CreateSession(
        tenant=tenant,
        title=title,
        intro=intro or "",
        guests=tuple(guests),
        moderators=tuple(moderators),
        scheduled_start=start_time(start),
        idempotency_key=key,
    )


LIFECYCLE: Mapping[str, type[OpenSession | PauseSession | ResumeSession | CloseSession]] = {
    "open": OpenSession,
    "pause": PauseSession,
    "resume": ResumeSession,
    "close": CloseSession,
}


def lifecycle_command(verb: str, session_id: int, key: str | None) -> Command:
    return LIFECYCLE[verb](session_id=session_id, idempotency_key=key)


def withdraw_command(question_id: int, key: str | None) -> WithdrawQuestion:
    return WithdrawQuestion(question_id=question_id, idempotency_key=key)


def settings_command(
    tenant: str,
    current: TenantSettings,
    *,
    moderator_roles: str | None = None,
    host_roles: str | None = None,
    moderation: str | None = None,
    strategy: str | None = None,
    ama_channel: int | None = None,
    mod_channel: int | None = None,
    threads: bool | None = None,
    key: str | None = None,
) -> ConfigureTenant | None:
    """The ConfigureTenant for the options given (None when nothing was given).

    A role option of "none" (or "-") removes the configured roles, restoring the defaults.
    """
    options: list[tuple[str, str | None]] = []
    for name, raw in ((MODERATOR_ROLES, moderator_roles), (HOST_ROLES, host_roles)):
        if raw is None:
            continue
        if raw.strip().casefold() in ("none", "-", "default"):
            options.append((name, None))
        else:
            ids = role_ids(raw)
            if not ids:
                raise InvalidInput(f"{name.replace('_', ' ')}: mention at least one role.")
            options.append((name, ",".join(map(str, ids))))
    for name, channel in ((AMA_CHANNEL, ama_channel), (MOD_CHANNEL, mod_channel)):
        if channel is not None:
            options.append((name, str(channel)))
    if threads is not None:
        options.append((THREADS, "on" if threads else None))
    defaults = None
    if moderation is not None or strategy is not None:
        changes: dict[str, Any] = {}
        if moderation is not None:
            try:
                changes["moderation"] = ModerationMode(moderation.strip().casefold())
            except ValueError:
                raise InvalidInput("Moderation is either pre or post.") from None
        if strategy is not None:
            changes["strategy"] = strategy.strip()  # the engine checks that it exists
        defaults = attrs.evolve(current.defaults, **changes)
    if not options and defaults is None:
        return None
    return ConfigureTenant(
        tenant=tenant, defaults=defaults, options=tuple(options), idempotency_key=key
    )


# -- which session ----------------------------------------------------------------------

_PREFERENCE = (SessionState.LIVE, SessionState.PAUSED, SessionState.SCHEDULED)


def pick_session(
    sessions: Sequence[Session], requested: int | None, *, finished: bool = False
) -> int:
    """The session a command means: the one named, else the newest live (paused, scheduled).

    ``finished``: a closed or archived session will do too (the newest), e.g. for an export.
    """
    if requested is not None:
        return requested
    for state in _PREFERENCE:
        for session in sessions:  # newest first
            if session.state is state:
                return session.id
    if finished and sessions:
        return sessions[0].id
    if finished:
        raise InvalidInput("There is no AMA here yet; create one with /ama create.")
    raise InvalidInput("There is no open AMA here; create one with /ama create.")
