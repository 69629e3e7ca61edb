"""Scripted AMAs: one JSON object per line, run through the real engine and store.

The format is documented in docs/replay.md. Each line names an actor and a command;
a command the engine refuses is reported and the script goes on; a malformed line stops
the replay with its line number, keeping everything before it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable, Iterable
from datetime import UTC, datetime, timedelta
from enum import Enum
from typing import Any, TypeVar

import attrs

from . import commands as c
from .describe import describe
from .engine import Engine, Outcome
from .errors import QaError
from .models import (
    Actor,
    Person,
    RejectReason,
    Restriction,
    Role,
    SessionSettings,
    UserRef,
)
from .serialization import converter

E = TypeVar("E", bound=Enum)
DEFAULT_TENANT = "replay:demo"
DEFAULT_START = datetime(2026, 1, 15, 18, 0, tzinfo=UTC)
_OFFSET = re.compile(r"^\+?(?:(\d+):)?(\d+):(\d{2})$")


class ReplayError(Exception):
    """A malformed line: its number and what is wrong with it."""

    def __init__(self, line: int, reason: str) -> None:
        super().__init__(f"line {line}: {reason}")
        self.line = line
        self.reason = reason


class _Bad(Exception):
    """A reason, raised inside a line and given its number by the replay loop."""


@attrs.frozen
class ReportLine:
    line: int
    actor: str
    command: str
    result: str  # "done: …", "refused (…): …", …
    ok: bool


class ReplayClock:
    """Script time: set by each line's "at", else one second after the previous line."""

    def __init__(self, start: datetime = DEFAULT_START) -> None:
        self.start = self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, at: object) -> None:
        if at is None:
            self.now += timedelta(seconds=1)
        elif isinstance(at, int | float) and not isinstance(at, bool):
            self.now = self.start + timedelta(seconds=at)
        elif isinstance(at, str) and (match := _OFFSET.match(at)):
            hours, minutes, seconds = (int(g or 0) for g in match.groups())
            self.now = self.start + timedelta(hours=hours, minutes=minutes, seconds=seconds)
        elif isinstance(at, str):
            try:
                self.now = _aware(datetime.fromisoformat(at))
            except ValueError:
                raise _Bad(
                    f'"at" must be seconds, "+MM:SS", "+HH:MM:SS" or ISO time: {at!r}'
                ) from None
        else:
            raise _Bad(f'"at" must be seconds, "+MM:SS" or an ISO time, not {at!r}')


@attrs.define
class _Args:
    """A line's "args", with typed getters that say which key is wrong."""

    data: dict[str, Any]
    script: Script

    def get(self, key: str, kind: type | tuple[type, ...], default: Any = ...) -> Any:
        if key not in self.data:
            if default is ...:
                raise _Bad(f'missing "{key}" in args')
            return default
        value = self.data[key]
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise _Bad(f'"{key}" has the wrong type: {value!r}')
        return value

    def text(self, key: str) -> str:
        value: str = self.get(key, str)
        return value

    def enum(self, key: str, kind: type[E]) -> E:
        value = self.text(key)
        try:
            return kind(value)
        except ValueError:
            known = ", ".join(m.value for m in kind)
            raise _Bad(f'"{key}" must be one of {known}, not {value!r}') from None

    def question(self, key: str = "question") -> int:
        return self.script.question_id(self.get(key, (str, int)))

    def session(self) -> int:
        return self.script.session_id(self.data.get("session"))

    def people(self, key: str) -> tuple[Person, ...]:
        listed = self.get(key, list, [])
        return tuple(self.script.person(item) for item in listed)


class Script:
    """The state of one replay: who is who, and the labels given to sessions and questions."""

    def __init__(self, engine: Engine, clock: ReplayClock, tenant: str) -> None:
        self.engine = engine
        self.clock = clock
        self.tenant = tenant
        self.actors: dict[str, Actor] = {}
        self.sessions: dict[str, int] = {}
        self.questions: dict[str, int] = {}
        self.numbers: dict[tuple[int, int], int] = {}
        self.last_session: int | None = None

    def actor(self, spec: object) -> Actor:
        if isinstance(spec, str):
            spec = {"id": spec}
        if not isinstance(spec, dict) or not isinstance(spec.get("id"), str | int):
            raise _Bad('"actor" must be {"id": ..., "name": ..., "role": ...} or an id')
        key = str(spec["id"])
        known = self.actors.get(key)
        name = spec.get("name", known.name if known else key)
        try:
            role = Role(spec.get("role", "participant"))
        except ValueError:
            raise _Bad(
                f"unknown role {spec.get('role')!r}: host, moderator, guest, participant"
            ) from None
        if known and "role" not in spec:
            roles = known.roles
        else:
            roles = frozenset({role, Role.PARTICIPANT})
        actor = Actor(UserRef(self.tenant, key), str(name), roles)
        self.actors[key] = actor
        return actor

    def person(self, item: object) -> Person:
        if isinstance(item, str) and item in self.actors:
            return self.actors[item].person
        if isinstance(item, dict) and isinstance(item.get("id"), str):
            actor = self.actor(item)
            return actor.person
        raise _Bad(f"a person is an actor id or {{'id': ..., 'name': ...}}, not {item!r}")

    def session_id(self, ref: object) -> int:
        if ref is None:
            if self.last_session is None:
                raise _Bad("no session yet: create one first")
            return self.last_session
        if isinstance(ref, str) and ref in self.sessions:
            return self.sessions[ref]
        if isinstance(ref, int) and not isinstance(ref, bool):
            return ref
        raise _Bad(f"unknown session {ref!r}")

    def question_id(self, ref: object) -> int:
        if isinstance(ref, str) and ref in self.questions:
            return self.questions[ref]
        if isinstance(ref, str) and ref.startswith("#") and ref[1:].isdigit():
            ref = int(ref[1:])
        if isinstance(ref, int) and self.last_session is not None:
            if (self.last_session, ref) in self.numbers:
                return self.numbers[(self.last_session, ref)]
        raise _Bad(f'unknown question {ref!r} (a label given with "ref", or #number)')


Builder = Callable[[_Args], Awaitable[c.Command] | c.Command]


async def _settings(args: _Args) -> c.Command:
    session_id = args.session()
    operator = _operator(args.script)
    current = (await args.script.engine.views.session(session_id, operator)).settings
    changes = {k: v for k, v in args.data.items() if k != "session"}
    merged = {**converter.unstructure(current), **changes}
    try:
        settings = converter.structure(merged, SessionSettings)
    except Exception as error:  # cattrs reports every bad key
        raise _Bad(f"bad settings: {error}") from None
    return c.UpdateSession(session_id=session_id, settings=settings)


def _operator(script: Script) -> Actor:
    return Actor(UserRef(script.tenant, "qa-bot"), "qa-bot", frozenset({Role.HOST}))


def _create(args: _Args) -> c.Command:
    settings = args.data.get("settings")
    try:
        parsed = None if settings is None else converter.structure(settings, SessionSettings)
    except Exception as error:
        raise _Bad(f"bad settings: {error}") from None
    return c.CreateSession(
        tenant=args.script.tenant,
        title=args.text("title"),
        intro=args.get("intro", str, ""),
        guests=args.people("guests"),
        moderators=args.people("moderators"),
        hosts=args.people("hosts"),
        settings=parsed,
        scheduled_start=_when(args.get("scheduled_start", str, None)),
    )


def _when(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        return _start_time(value)
    except _Bad:
        raise _Bad(f'"scheduled_start" must be an ISO time, not {value!r}') from None


def _restrict(restriction: Restriction) -> Builder:
    def build(args: _Args) -> c.Command:
        return c.RestrictParticipant(
            session_id=args.session(),
            user=args.script.person(args.get("user", (str, dict))).user,
            restriction=restriction,
            reason=args.get("reason", str, None),
        )

    return build


VERBS: dict[str, Builder] = {
    "create": _create,
    "settings": _settings,
    "open": lambda a: c.OpenSession(session_id=a.session()),
    "pause": lambda a: c.PauseSession(session_id=a.session()),
    "resume": lambda a: c.ResumeSession(session_id=a.session()),
    "close": lambda a: c.CloseSession(session_id=a.session()),
    "archive": lambda a: c.ArchiveSession(session_id=a.session()),
    "ask": lambda a: c.SubmitQuestion(
        session_id=a.session(), text=a.text("text"), anonymous=a.get("anonymous", bool, False)
    ),
    "edit": lambda a: c.EditQuestion(question_id=a.question(), text=a.text("text")),
    "withdraw": lambda a: c.WithdrawQuestion(question_id=a.question()),
    "vote": lambda a: c.CastVote(question_id=a.question(), up=a.get("up", bool, None)),
    "approve": lambda a: c.ApproveQuestion(question_id=a.question()),
    "reject": lambda a: c.RejectQuestion(
        question_id=a.question(),
        reason=a.enum("reason", RejectReason),
        message=a.get("message", str, None),
    ),
    "merge": lambda a: c.MergeQuestions(duplicate_id=a.question(), into_id=a.question("into")),
    "unmerge": lambda a: c.UnmergeQuestion(question_id=a.question()),
    "pin": lambda a: c.PinQuestion(question_id=a.question(), pinned=a.get("pinned", bool, True)),
    "tag": lambda a: c.TagQuestion(question_id=a.question(), tags=frozenset(a.get("tags", list))),
    "ban": _restrict(Restriction.BANNED),
    "mute": _restrict(Restriction.MUTED),
    "unrestrict": _restrict(Restriction.NONE),
    "next": lambda a: c.NextQuestion(session_id=a.session()),
    "answer": lambda a: c.AnswerQuestion(question_id=a.question(), text=a.text("text")),
    "skip": lambda a: c.SkipQuestion(question_id=a.question()),
    "defer": lambda a: c.DeferQuestion(question_id=a.question()),
}


def _parse(raw: str) -> dict[str, Any]:
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as error:
        raise _Bad(f"not valid JSON: {error.msg} (column {error.colno})") from None
    if not isinstance(data, dict):
        raise _Bad("each line must be a JSON object")
    unknown = set(data) - {"actor", "command", "args", "at", "ref", "key", "start", "comment"}
    if unknown:
        raise _Bad(f"unknown field(s): {', '.join(sorted(unknown))}")
    return data


async def _run_line(script: Script, data: dict[str, Any]) -> ReportLine | None:
    if "start" in data and "command" not in data:
        script.clock.start = script.clock.now = _start_time(data["start"])
        return None
    verb = data.get("command")
    if verb not in VERBS:
        raise _Bad(f"unknown command {verb!r}; known: {', '.join(VERBS)}")
    actor = script.actor(data.get("actor"))
    args = data.get("args", {})
    if not isinstance(args, dict):
        raise _Bad('"args" must be an object')
    script.clock.advance(data.get("at"))
    built = VERBS[verb](_Args(args, script))
    command = await built if isinstance(built, Awaitable) else built
    if data.get("key") is not None:
        command = attrs.evolve(command, idempotency_key=str(data["key"]))
    try:
        outcome = await script.engine.execute(command, actor)
    except QaError as error:
        reason = getattr(error, "reason", error.code)
        return ReportLine(0, actor.name, verb, f"refused ({reason}): {error}", ok=False)
    _remember(script, verb, data.get("ref"), outcome)
    said = "; ".join(describe(event) for event in outcome.events) or "no change"
    if outcome.replayed:
        said = f"already done (same key): {said}"
    return ReportLine(0, actor.name, verb, said, ok=True)


def _aware(when: datetime) -> datetime:
    """Times without a zone are UTC."""
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def _start_time(value: object) -> datetime:
    try:
        return _aware(datetime.fromisoformat(str(value)))
    except ValueError:
        raise _Bad(f'"start" must be an ISO time, not {value!r}') from None


def _remember(script: Script, verb: str, ref: object, outcome: Outcome) -> None:
    """Learn the ids a create or an ask produced, under their "ref" label if given."""
    if verb == "create" and outcome.session is not None:
        script.last_session = outcome.session.id
        if isinstance(ref, str):
            script.sessions[ref] = outcome.session.id
    elif verb == "ask" and (question := outcome.question) is not None:
        script.numbers[(question.session_id, question.number)] = question.id
        if isinstance(ref, str):
            script.questions[ref] = question.id


async def replay(
    engine: Engine,
    lines: Iterable[str],
    clock: ReplayClock,
    *,
    tenant: str = DEFAULT_TENANT,
    on_line: Callable[[ReportLine], None] | None = None,
) -> Script:
    """Run every line; raises ReplayError at the first malformed one (earlier ones stay)."""
    script = Script(engine, clock, tenant)
    for number, raw in enumerate(lines, start=1):
        if not raw.strip() or raw.lstrip().startswith("//"):
            continue
        try:
            data = _parse(raw)
            report = await _run_line(script, data)
        except _Bad as bad:
            raise ReplayError(number, str(bad)) from None
        if report is not None and on_line is not None:
            on_line(attrs.evolve(report, line=number))
    return script
