"""Test helpers shipped with the Discord adapter: a local fake of the Discord API.

Adapter and plugin tests drive the real discord.py against ``FakeDiscord`` (REST + gateway on
127.0.0.1) instead of mocking discord.py internals; see ``fake_discord`` for an example.
"""

from .fake_discord import FakeDiscord, patch_discord
from .limits import Violation
from .ratelimit import RateLimitRule
from .records import (
    InteractionHandle,
    InteractionResponses,
    MentionViolation,
    RecordedRequest,
    Routes,
)
from .state import (
    ALL_PERMISSIONS,
    MANAGE_MESSAGES,
    CallbackRecord,
    Clock,
    FakeChannel,
    FakeClock,
    FakeGuild,
    FakeMember,
    FakeRole,
    FakeUser,
    UploadedFile,
)

__all__ = [
    "ALL_PERMISSIONS",
    "MANAGE_MESSAGES",
    "CallbackRecord",
    "Clock",
    "FakeChannel",
    "FakeClock",
    "FakeDiscord",
    "FakeGuild",
    "FakeMember",
    "FakeRole",
    "FakeUser",
    "InteractionHandle",
    "InteractionResponses",
    "MentionViolation",
    "RateLimitRule",
    "RecordedRequest",
    "Routes",
    "UploadedFile",
    "Violation",
    "patch_discord",
]
