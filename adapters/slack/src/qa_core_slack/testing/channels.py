"""Messages per channel, as the fake stores them, with Slack-like increasing ``ts`` values."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import Any

from .records import Ephemeral, Message, Team


class Channels:
    """Every message per ``(team, channel)`` (deleted ones kept) and every ephemeral."""

    def __init__(self, clock: Callable[[], float]) -> None:
        self.clock = clock
        self.messages: dict[tuple[str, str], list[Message]] = defaultdict(list)
        self.ephemerals: list[Ephemeral] = []
        self._last_ts = 0.0

    def new_ts(self) -> str:
        """A message timestamp: the clock in microseconds, strictly increasing per fake."""
        ts = max(round(self.clock(), 6), round(self._last_ts + 0.000001, 6))
        self._last_ts = ts
        return f"{ts:.6f}"

    def post_as_bot(
        self,
        team: Team,
        channel: str,
        text: str,
        blocks: list[Any],
        *,
        thread_ts: str | None = None,
        files: list[dict[str, Any]] | None = None,
    ) -> Message:
        """Store a message from the app's bot user."""
        message = Message(
            team.id,
            channel,
            self.new_ts(),
            team.bot_user_id,
            text,
            blocks,
            thread_ts=thread_ts,
            bot_id=team.bot_id,
            files=files or [],
        )
        self.messages[(team.id, channel)].append(message)
        return message

    def seed(
        self, team_id: str, channel: str, *, user: str, text: str, blocks: list[Any] | None = None
    ) -> Message:
        """Store a message from someone else (a person asking, another bot)."""
        message = Message(team_id, channel, self.new_ts(), user, text, blocks or [])
        self.messages[(team_id, channel)].append(message)
        return message

    def find(self, team_id: str, channel: str, ts: object) -> Message | None:
        """The live (not deleted) message at ``ts``."""
        for message in self.messages.get((team_id, channel), []):
            if message.ts == ts and not message.deleted:
                return message
        return None

    def post_ephemeral(
        self, team_id: str, channel: str, user: str, text: str, blocks: list[Any], source: str
    ) -> Ephemeral:
        """Record an ephemeral message (Slack shows it to ``user`` and keeps no copy)."""
        ephemeral = Ephemeral(team_id, channel, user, self.new_ts(), text, blocks, source)
        self.ephemerals.append(ephemeral)
        return ephemeral
