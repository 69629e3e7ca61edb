"""A cast of actors in one tenant, and a clock tests move by hand."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import attrs

from ..models import Actor, Role, UserRef

START = datetime(2026, 3, 1, 17, 0, tzinfo=UTC)


class ManualClock:
    """Time stands still until a test moves it."""

    def __init__(self, start: datetime = START) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float = 1.0) -> datetime:
        self.now += timedelta(seconds=seconds)
        return self.now


@attrs.frozen
class Cast:
    """Everyone a test needs, in ``tenant``: ``cast.host``, ``cast.person(7)``..."""

    tenant: str = "test:guild"

    def actor(self, user_id: str, name: str, *roles: Role) -> Actor:
        return Actor(UserRef(self.tenant, user_id), name, frozenset({Role.PARTICIPANT, *roles}))

    @property
    def host(self) -> Actor:
        return self.actor("host", "Hana Host", Role.HOST)

    @property
    def moderator(self) -> Actor:
        return self.actor("mod", "Mo Moderator", Role.MODERATOR)

    @property
    def guest(self) -> Actor:
        return self.actor("guest", "Gil Guest")

    def person(self, n: int) -> Actor:
        return self.actor(f"p{n}", f"Person {n}")
