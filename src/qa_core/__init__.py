"""qa_core: a platform-neutral engine for moderated AMA / audience Q&A sessions.

Adapters (Discord, Slack, the web) translate platform events into commands, run them with
``Engine.execute``, and render the events and views that come back. Plugins extend it
through the pluggy hooks in ``qa_core.hookspecs``.
"""

from __future__ import annotations

from . import events
from .commands import (
    AnswerQuestion,
    ApproveQuestion,
    ArchiveSession,
    CastVote,
    CloseSession,
    Command,
    ConfigureTenant,
    CreateSession,
    DeferQuestion,
    EditQuestion,
    MergeQuestions,
    NextQuestion,
    OpenSession,
    PauseSession,
    PinQuestion,
    RejectQuestion,
    RestrictParticipant,
    ResumeSession,
    SkipQuestion,
    SubmitQuestion,
    TagQuestion,
    UnmergeQuestion,
    UpdateSession,
    WithdrawQuestion,
)
from .config import Config, ConfigError, load_config
from .describe import describe, describe_flag
from .engine import Engine, Outcome
from .errors import InvalidInput, InvalidState, NotFound, PermissionDenied, QaError, Refused
from .events import *  # noqa: F403 - every event class is public API
from .events import Event, QuestionEvent
from .hookspecs import hookimpl, hookspec
from .models import (
    Actor,
    Answer,
    DuplicateSuggestion,
    Flag,
    ModerationMode,
    Person,
    Question,
    QuestionState,
    Rejection,
    RejectReason,
    Restriction,
    Role,
    Session,
    SessionSettings,
    SessionState,
    TenantSettings,
    UserRef,
)
from .plugins import Hooks, make_plugin_manager
from .ports import Store, Transaction
from .rules.permissions import Action, PermissionRequest
from .scheduling import Scheduler
from .screening import Refusal, Submission
from .selection import Selection, Strategy
from .stores import open_store
from .transcript import Exporter
from .views import SessionSummary, Transcript

__all__ = [
    "Scheduler",
    "describe",
    "describe_flag",
    "Action",
    "Actor",
    "Answer",
    "AnswerQuestion",
    "ApproveQuestion",
    "ArchiveSession",
    "CastVote",
    "CloseSession",
    "Command",
    "Config",
    "ConfigError",
    "ConfigureTenant",
    "CreateSession",
    "DeferQuestion",
    "DuplicateSuggestion",
    "EditQuestion",
    "Engine",
    "Event",
    "Exporter",
    "Flag",
    "Hooks",
    "InvalidInput",
    "InvalidState",
    "MergeQuestions",
    "ModerationMode",
    "NextQuestion",
    "NotFound",
    "OpenSession",
    "Outcome",
    "PauseSession",
    "PermissionDenied",
    "PermissionRequest",
    "Person",
    "PinQuestion",
    "QaError",
    "Question",
    "QuestionEvent",
    "QuestionState",
    "Refusal",
    "Refused",
    "RejectQuestion",
    "RejectReason",
    "Rejection",
    "RestrictParticipant",
    "Restriction",
    "ResumeSession",
    "Role",
    "Selection",
    "Session",
    "SessionSettings",
    "SessionState",
    "SessionSummary",
    "SkipQuestion",
    "Store",
    "Strategy",
    "Submission",
    "SubmitQuestion",
    "TagQuestion",
    "TenantSettings",
    "Transaction",
    "Transcript",
    "UnmergeQuestion",
    "UpdateSession",
    "UserRef",
    "WithdrawQuestion",
    "hookimpl",
    "hookspec",
    "load_config",
    "make_plugin_manager",
    "open_store",
]
__all__ += [name for name in dir(events) if name[0].isupper() and name not in __all__]
