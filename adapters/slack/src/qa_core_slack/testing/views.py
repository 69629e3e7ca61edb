"""Modals and App Home: views.open / push / update / publish and the triggers they spend.

Slack opens a modal only with a ``trigger_id`` from an interaction, used once and within
three seconds (``expired_trigger_id``, ``exchanged_trigger_id``); a modal stack holds at most
three views (``push_limit_reached``); ``hash`` guards updates (``hash_conflict``).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from .errors import ApiError, required
from .limits import check_view
from .records import Team, View

TRIGGER_TTL_SECONDS = 3.0
VIEW_STACK_MAX = 3


@dataclass
class _Trigger:
    team_id: str
    user_id: str
    issued_at: float
    used: bool = False


class ViewStore:
    """Every view by id, the App Home per user, and the modal stack per user."""

    def __init__(self, clock: Callable[[], float], new_id: Callable[[str], str]) -> None:
        self.clock = clock
        self.by_id: dict[str, View] = {}
        self.home: dict[tuple[str, str], View] = {}
        self._new_id = new_id
        self._stacks: dict[tuple[str, str], list[str]] = {}
        self._triggers: dict[str, _Trigger] = {}

    def new_trigger_id(self, team_id: str, user_id: str) -> str:
        """A trigger id views.open/push accept once, within three seconds."""
        trigger = f"{self._new_id('')}.{int(self.clock())}.{secrets.token_hex(16)}"
        self._triggers[trigger] = _Trigger(team_id, user_id, self.clock())
        return trigger

    def open(self, team: Team, params: Mapping[str, Any]) -> dict[str, Any]:
        """views.open: a new modal stack for the user the trigger belongs to."""
        body = _checked_view(params, "modal")
        trigger = self._use_trigger(team, params)
        view = self._store(team, trigger.user_id, body, root=None, previous=None)
        self._stacks[(team.id, trigger.user_id)] = [view.id]
        return {"ok": True, "view": view.to_api(team)}

    def push(self, team: Team, params: Mapping[str, Any]) -> dict[str, Any]:
        """views.push: one more view on the user's open modal stack."""
        body = _checked_view(params, "modal")
        trigger = self._use_trigger(team, params)
        stack = self._stacks.get((team.id, trigger.user_id))
        if not stack:
            raise ApiError("not_found")
        if len(stack) >= VIEW_STACK_MAX:
            raise ApiError("push_limit_reached")
        view = self._store(team, trigger.user_id, body, root=stack[0], previous=stack[-1])
        stack.append(view.id)
        return {"ok": True, "view": view.to_api(team)}

    def update(self, team: Team, params: Mapping[str, Any]) -> dict[str, Any]:
        """views.update by ``view_id`` or ``external_id``, checking ``hash`` when given."""
        body = _checked_view(params, None)
        view = self._find(team, params.get("view_id"), params.get("external_id"))
        if params.get("hash") and params["hash"] != view.hash:
            raise ApiError("hash_conflict")
        view.body, view.hash = body, self._new_hash()
        return {"ok": True, "view": view.to_api(team)}

    def publish(self, team: Team, params: Mapping[str, Any]) -> dict[str, Any]:
        """views.publish: replace a user's App Home."""
        body = _checked_view(params, "home")
        user_id = required(params, "user_id", "invalid_arguments")
        current = self.home.get((team.id, user_id))
        if current and params.get("hash") and params["hash"] != current.hash:
            raise ApiError("hash_conflict")
        view = self._store(team, user_id, body, root=None, previous=None)
        self.home[(team.id, user_id)] = view
        return {"ok": True, "view": view.to_api(team)}

    def _use_trigger(self, team: Team, params: Mapping[str, Any]) -> _Trigger:
        key = str(params.get("trigger_id") or params.get("interactivity_pointer") or "")
        trigger = self._triggers.get(key)
        if trigger is None or trigger.team_id != team.id:
            raise ApiError("invalid_trigger_id")
        if trigger.used:
            raise ApiError("exchanged_trigger_id")
        if self.clock() - trigger.issued_at > TRIGGER_TTL_SECONDS:
            raise ApiError("expired_trigger_id")
        trigger.used = True
        return trigger

    def _store(
        self,
        team: Team,
        user_id: str,
        body: dict[str, Any],
        *,
        root: str | None,
        previous: str | None,
    ) -> View:
        external_id = body.get("external_id")
        if external_id and any(
            v.body.get("external_id") == external_id for v in self.by_id.values()
        ):
            raise ApiError("duplicate_external_id")
        view_id = self._new_id("V")
        view = View(view_id, team.id, user_id, body, self._new_hash(), root or view_id, previous)
        self.by_id[view_id] = view
        return view

    def _find(self, team: Team, view_id: object, external_id: object) -> View:
        for view in self.by_id.values():
            if view.team_id != team.id:
                continue
            if view_id and view.id == view_id:
                return view
            if external_id and view.body.get("external_id") == external_id:
                return view
        raise ApiError("not_found")

    def _new_hash(self) -> str:
        return f"{int(self.clock())}.{secrets.token_hex(4)}"


def _checked_view(params: Mapping[str, Any], kind: str | None) -> dict[str, Any]:
    view = params.get("view")
    rejection = check_view(view)
    if rejection:
        raise ApiError.from_rejection(rejection)
    assert isinstance(view, dict)
    if kind is not None and view.get("type") != kind:
        raise ApiError("invalid_arguments")
    return view
