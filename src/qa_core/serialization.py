"""cattrs at the edges: events for the audit log and idempotency memory, JSON exports."""

from __future__ import annotations

import json
from typing import Any

from cattrs.preconf.json import make_converter

from . import events as _events
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


def dump_events(events: tuple[Event, ...] | list[Event]) -> str:
    return json.dumps([event_to_dict(e) for e in events], separators=(",", ":"), ensure_ascii=False)


def load_events(payload: str) -> tuple[Event, ...]:
    return tuple(event_from_dict(item) for item in json.loads(payload))
