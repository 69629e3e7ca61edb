"""Slack-style Web API rate limits for the fake, with a clock the test controls.

Slack limits each method per workspace per app in tiers (Tier 1: 1+/min, Tier 2: 20+/min,
Tier 3: 50+/min, Tier 4: 100+/min) and ``chat.postMessage`` to about one message per second
per channel, tolerating short bursts (https://docs.slack.dev/apis/web-api/rate-limits).
Going over answers HTTP 429 with ``Retry-After`` seconds and ``{"ok": false, "error":
"ratelimited"}``. The fake uses a 60-second sliding window per ``(team, method)`` and a token
bucket per ``(team, channel)``; tests can also script "the next N calls to X get 429".
"""

from __future__ import annotations

import math
import time
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass, field

TIER_1 = 1
TIER_2 = 20
TIER_3 = 50
TIER_4 = 100

# Per-minute budgets of the methods the fake serves; ``None`` means "not limited here".
DEFAULT_PER_MINUTE: dict[str, int | None] = {
    "auth.test": TIER_4,  # documented as "Special"; generous in practice
    "chat.postMessage": None,  # special: per-channel bucket below
    "chat.update": TIER_3,
    "chat.delete": TIER_3,
    "chat.postEphemeral": TIER_4,
    "views.open": TIER_4,
    "views.update": TIER_4,
    "views.push": TIER_4,
    "views.publish": TIER_4,
    "conversations.open": TIER_3,
    "users.info": TIER_4,
    "usergroups.users.list": TIER_2,
    "files.getUploadURLExternal": TIER_4,
    "files.completeUploadExternal": TIER_4,
    "oauth.v2.access": None,
    # Documented as Tier 1, but slack_sdk sleeps a full Retry-After (up to a minute) when a
    # reconnect is refused, which would stall any test that exercises ``disconnect``.
    # Opt in with ``set_limit("apps.connections.open", TIER_1)``.
    "apps.connections.open": None,
}


@dataclass
class RateLimitPolicy:
    """Budgets the limiter enforces; change them per test.

    ``channel_burst`` is the fake's reading of "short bursts allowed": that many
    ``chat.postMessage`` calls may land on one channel at once, then one per second.
    """

    per_minute: dict[str, int | None] = field(default_factory=lambda: dict(DEFAULT_PER_MINUTE))
    channel_per_second: float = 1.0
    channel_burst: int = 3
    enabled: bool = True

    @classmethod
    def disabled(cls) -> RateLimitPolicy:
        """No automatic limits; scripted failures (``fail_next``) still apply."""
        return cls(enabled=False)


@dataclass
class _Script:
    remaining: int
    retry_after: int
    team_id: str | None


@dataclass
class _Bucket:
    tokens: float
    updated: float


class RateLimiter:
    """Decides whether a call is answered or gets a 429, and how long to wait."""

    def __init__(
        self, policy: RateLimitPolicy | None = None, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.policy = policy or RateLimitPolicy()
        self._clock = clock
        self._windows: dict[tuple[str, str], deque[float]] = defaultdict(deque)
        self._buckets: dict[tuple[str, str], _Bucket] = {}
        self._scripts: dict[str, list[_Script]] = defaultdict(list)

    def set_limit(self, method: str, per_minute: int | None) -> None:
        """Override one method's per-minute budget (``None`` lifts it)."""
        self.policy.per_minute[method] = per_minute

    def fail_next(
        self, method: str, count: int = 1, *, retry_after: int = 1, team_id: str | None = None
    ) -> None:
        """Answer the next ``count`` calls to ``method`` (of ``team_id``, or any) with 429."""
        self._scripts[method].append(_Script(count, retry_after, team_id))

    def reset(self) -> None:
        """Forget all history and scripts (not the policy)."""
        self._windows.clear()
        self._buckets.clear()
        self._scripts.clear()

    def check(self, method: str, team_id: str, channel: str | None = None) -> int | None:
        """Record a call; return ``Retry-After`` seconds if it must be refused, else ``None``."""
        scripted = self._take_script(method, team_id)
        if scripted is not None:
            return scripted
        if not self.policy.enabled:
            return None
        now = self._clock()
        if method == "chat.postMessage" and channel:
            wait = self._take_channel_token(team_id, channel, now)
            if wait is not None:
                return wait
        return self._take_window_slot(method, team_id, now)

    def _take_script(self, method: str, team_id: str) -> int | None:
        for script in self._scripts.get(method, []):
            if script.remaining > 0 and script.team_id in (None, team_id):
                script.remaining -= 1
                return script.retry_after
        return None

    def _take_window_slot(self, method: str, team_id: str, now: float) -> int | None:
        limit = self.policy.per_minute.get(method)
        if limit is None:
            return None
        window = self._windows[(team_id, method)]
        while window and window[0] <= now - 60.0:
            window.popleft()
        if len(window) >= limit:
            return max(1, math.ceil(window[0] + 60.0 - now))
        window.append(now)
        return None

    def _take_channel_token(self, team_id: str, channel: str, now: float) -> int | None:
        capacity = float(self.policy.channel_burst)
        rate = self.policy.channel_per_second
        bucket = self._buckets.setdefault((team_id, channel), _Bucket(capacity, now))
        bucket.tokens = min(capacity, bucket.tokens + (now - bucket.updated) * rate)
        bucket.updated = now
        if bucket.tokens >= 1.0:
            bucket.tokens -= 1.0
            return None
        return max(1, math.ceil((1.0 - bucket.tokens) / rate))
