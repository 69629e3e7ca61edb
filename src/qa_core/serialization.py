"""cattrs at the edges: events for the audit log and idempotency memory, JSON exports."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import attrs
from cattrs.preconf.json import make_converter

from . import events as _events
from .commands import Command
from .events import Event

converter = make_converter()

EVENT_TYPES: dict[str, type[Event]] = {
    name: cls
    for name, cls in vars(_events).items()
    if isinstance(cls, type) and issubclass(cls, Event) and cls.__module__ == _events.__name__
}


def event_to_dict(event: Event) -> dict[str, Any]:
    data: dict[str, Any] = converter.unstructure(event)
    data["kind"] = type(event).__name__
    return data


def event_from_dict(data: dict[str, Any]) -> Event:
    data = dict(data)
    cls = EVENT_TYPES[data.pop("kind")]
    return converter.structure(data, cls)


def dump_event(event: Event) -> str:
    return json.dumps(converter.unstructure(event), separators=(",", ":"), ensure_ascii=False)


def load_event(kind: str, payload: str) -> Event:
    return converter.structure(json.loads(payload), EVENT_TYPES[kind])


def fingerprint(command: Command) -> str:
    """The command's kind and arguments (not its key), hashed: what a key was used for."""
    data = converter.unstructure(attrs.evolve(command, idempotency_key=None))
    text = json.dumps([type(command).__name__, data], sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def dump_outcome(command: Command, events: tuple[Event, ...] | list[Event]) -> str:
    """What the idempotency memory keeps: which command ran, and the events it produced."""
    payload = {"command": fingerprint(command), "events": [event_to_dict(e) for e in events]}
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False)


def load_outcome(payload: str) -> tuple[str, tuple[Event, ...]]:
    data = json.loads(payload)
    return data["command"], tuple(event_from_dict(item) for item in data["events"])
