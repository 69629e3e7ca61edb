"""Per-route rate-limit buckets and scripted 429s, speaking Discord's header dialect.

Discord does not document per-route limits ("rate limits should not be hard coded"); clients
learn them from ``X-RateLimit-*`` headers. discord.py trusts those headers to pre-emptively
wait, and on a 429 sleeps the body's ``retry_after`` -- but only when the response carries a
``Via`` header and a JSON body, otherwise it assumes a Cloudflare ban and raises. The fake
therefore sends the full set on every API response (developers/topics/rate-limits).
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Mapping
from dataclasses import dataclass, field

from .state import JSON, Clock

# Path parameters that make a separate bucket per value, like Discord's "major parameters".
MAJOR_PARAMETERS = ("channel_id", "guild_id", "interaction_token", "interaction_id")


@dataclass(frozen=True)
class RateLimitRule:
    """``limit`` requests per ``per`` seconds for one route, per major parameter.

    ``route`` is a template such as ``"/channels/{channel_id}/messages/{message_id}"`` (see
    ``Routes``); ``bucket`` is the opaque hash sent as ``X-RateLimit-Bucket``.
    """

    method: str
    route: str
    limit: int
    per: float
    bucket: str | None = None

    @property
    def bucket_hash(self) -> str:
        if self.bucket:
            return self.bucket
        digest = hashlib.sha1(f"{self.method} {self.route}".encode(), usedforsecurity=False)
        return digest.hexdigest()[:16]


@dataclass(frozen=True)
class RateLimitDecision:
    """Whether to serve a request, and the headers (and 429 body) to answer with."""

    allowed: bool
    headers: Mapping[str, str]
    body: JSON | None = None


@dataclass
class _Window:
    started: float
    used: int = 0


@dataclass
class _Script:
    method: str
    route: str
    remaining: int
    retry_after: float
    is_global: bool
    scope: str


@dataclass
class RateLimiter:
    """Fixed-window buckets keyed by (rule, major parameter), plus scripted 429 bursts."""

    clock: Clock
    default_limit: int = 50
    default_per: float = 1.0
    rules: dict[tuple[str, str], RateLimitRule] = field(default_factory=dict)
    _windows: dict[tuple[str, str], _Window] = field(default_factory=dict)
    _scripts: list[_Script] = field(default_factory=list)

    def add_rule(self, rule: RateLimitRule) -> None:
        self.rules[(rule.method, rule.route)] = rule

    def script(
        self,
        method: str,
        route: str,
        *,
        count: int = 1,
        retry_after: float = 0.05,
        is_global: bool = False,
        scope: str = "user",
    ) -> None:
        """Answer the next ``count`` matching requests with 429, whatever the bucket says."""
        self._scripts.append(_Script(method, route, count, retry_after, is_global, scope))

    def check(self, method: str, route: str, params: Mapping[str, str]) -> RateLimitDecision:
        rule = self.rules.get((method, route)) or RateLimitRule(
            method, route, self.default_limit, self.default_per
        )
        scripted = self._take_script(method, route)
        if scripted is not None:
            return self._scripted_429(rule, scripted)
        window = self._window(rule, params)
        now = self.clock.now()
        reset_at = window.started + rule.per
        if window.used >= rule.limit:
            return _too_many(
                rule, retry_after=reset_at - now, reset_at=reset_at, is_global=False, scope="user"
            )
        window.used += 1
        return RateLimitDecision(
            True, _bucket_headers(rule, rule.limit - window.used, reset_at - now, reset_at)
        )

    def _take_script(self, method: str, route: str) -> _Script | None:
        for script in self._scripts:
            if script.method == method and script.route == route and script.remaining > 0:
                script.remaining -= 1
                return script
        return None

    def _scripted_429(self, rule: RateLimitRule, script: _Script) -> RateLimitDecision:
        reset_at = self.clock.now() + script.retry_after
        return _too_many(
            rule,
            retry_after=script.retry_after,
            reset_at=reset_at,
            is_global=script.is_global,
            scope=script.scope,
        )

    def _window(self, rule: RateLimitRule, params: Mapping[str, str]) -> _Window:
        major = next((params[k] for k in MAJOR_PARAMETERS if k in params), "")
        key = (rule.bucket_hash, major)
        now = self.clock.now()
        window = self._windows.get(key)
        if window is None or now >= window.started + rule.per:
            window = self._windows[key] = _Window(started=now)
        return window


def _seconds(value: float) -> float:
    """Round up to the millisecond so a client that waits exactly this long is never early."""
    return math.ceil(max(value, 0.0) * 1000) / 1000


def _bucket_headers(
    rule: RateLimitRule, remaining: int, reset_after: float, reset_at: float
) -> dict[str, str]:
    return {
        "X-RateLimit-Limit": str(rule.limit),
        "X-RateLimit-Remaining": str(remaining),
        "X-RateLimit-Reset": f"{_seconds(reset_at):.3f}",
        "X-RateLimit-Reset-After": f"{_seconds(reset_after):.3f}",
        "X-RateLimit-Bucket": rule.bucket_hash,
    }


def _too_many(
    rule: RateLimitRule, *, retry_after: float, reset_at: float, is_global: bool, scope: str
) -> RateLimitDecision:
    wait = _seconds(retry_after)
    headers = _bucket_headers(rule, 0, wait, reset_at)
    headers |= {
        "Retry-After": str(math.ceil(wait)),
        "X-RateLimit-Scope": "global" if is_global else scope,
        # Without Via discord.py treats a 429 as a Cloudflare ban and raises at once.
        "Via": "1.1 google",
    }
    if is_global:
        headers["X-RateLimit-Global"] = "true"
    body: JSON = {
        "message": "You are being rate limited.",
        "retry_after": wait,
        "global": is_global,
    }
    return RateLimitDecision(False, headers, body)
