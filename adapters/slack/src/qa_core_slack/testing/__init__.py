"""Test doubles for the Slack adapter: a loopback Slack and signed-request builders.

Shipped with the adapter (like maubot's ``testing`` package) so plugin authors test against
the same fake the adapter's own tests use. See ``fake_slack`` for an overview.
"""

from __future__ import annotations

from .errors import ApiError, ApiReply
from .fake_slack import FakeSlack
from .http_mode import BoltHttpServer, HttpResult, InstallResult
from .limits import Problem, Rejection, check_message, check_view, validate_blocks
from .mentions import MentionHit, assert_no_unescaped_mentions, find_unescaped_mentions
from .ratelimit import TIER_1, TIER_2, TIER_3, TIER_4, RateLimiter, RateLimitPolicy
from .records import Ephemeral, Message, RecordedCall, ResponseUrlPost, Team, UploadedFile, View
from .signing import SlackRequest, SlackRequestFactory, signature
from .socket_mode import FakeSocketMode, SocketAck
from .web_api import OAuthClient, WebApi

__all__ = [
    "TIER_1",
    "TIER_2",
    "TIER_3",
    "TIER_4",
    "ApiError",
    "ApiReply",
    "BoltHttpServer",
    "Ephemeral",
    "FakeSlack",
    "FakeSocketMode",
    "HttpResult",
    "InstallResult",
    "MentionHit",
    "Message",
    "OAuthClient",
    "Problem",
    "RateLimitPolicy",
    "RateLimiter",
    "RecordedCall",
    "Rejection",
    "ResponseUrlPost",
    "SlackRequest",
    "SlackRequestFactory",
    "SocketAck",
    "Team",
    "UploadedFile",
    "View",
    "WebApi",
    "assert_no_unescaped_mentions",
    "check_message",
    "check_view",
    "find_unescaped_mentions",
    "signature",
    "validate_blocks",
]
