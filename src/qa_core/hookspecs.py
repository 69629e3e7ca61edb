"""The hooks qa_core calls. Plugins implement them with ``@qa_core.hookimpl``.

Decision hooks are synchronous and fast: they run inside the command's transaction.
The event observer may return an awaitable; each implementation runs isolated.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING, Any

import pluggy

from .events import Event
from .models import DuplicateSuggestion, Flag, Question, QuestionState
from .rules.permissions import PermissionRequest
from .screening import Refusal, Submission
from .selection import Selection, Strategy

if TYPE_CHECKING:
    from .engine import Engine
    from .transcript import Exporter

PROJECT = "qa_core"
hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


# -- lifecycle -------------------------------------------------------------------------------


@hookspec
def qa_startup(engine: Engine) -> Awaitable[None] | None:
    """The engine is starting: open connections, start background tasks.

    All implementations are called; awaitables are awaited.

    :param engine: the engine being started.
    """


@hookspec
def qa_shutdown(engine: Engine) -> Awaitable[None] | None:
    """The engine is stopping: release what ``qa_startup`` took.

    All implementations are called, each isolated; awaitables are awaited.

    :param engine: the engine being stopped.
    """


# -- registration ----------------------------------------------------------------------------


@hookspec
def qa_register_strategies(register: Callable[[str, Strategy], None]) -> None:
    """Add selection strategies that sessions can choose by name.

    All implementations are called.

    :param register: call ``register(name, strategy)`` once per strategy.
    """


@hookspec
def qa_register_exporters(register: Callable[[str, Exporter], None]) -> None:
    """Add transcript formats for ``qa-bot export --format NAME``.

    All implementations are called.

    :param register: call ``register(name, exporter)`` once per format.
    """


# -- decisions -------------------------------------------------------------------------------


@hookspec(firstresult=True)
def qa_check_permission(request: PermissionRequest) -> bool | None:
    """Decide whether ``request.actor`` may do ``request.action``.

    Stops at first non-None result.

    :param request: the actor, the action, the session and the actor's effective roles.
    :returns: True to allow, False to deny, None to leave it to the next plugin.
    """


@hookspec(firstresult=True)
def qa_clean_text(text: str) -> str | None:
    """Return question text cleaned for storage (invisible characters out, whitespace tidied).

    Stops at first non-None result.

    :param text: the text as the platform delivered it.
    :returns: the cleaned text, or None to leave it to the next plugin.
    """


@hookspec(firstresult=True)
def qa_validate_question(submission: Submission) -> Refusal | None:
    """Refuse a question outright: too short, too long, too fast, slow mode.

    Stops at first non-None result, so every validator runs until one refuses.

    :param submission: the cleaned text, its author, the session and the author's history.
    :returns: a Refusal to turn the question away, or None to let it through.
    """


@hookspec
def qa_flag_question(submission: Submission) -> Flag | None:
    """Raise a flag for moderators (a filtered word, a comment that is not a question).

    All implementations are called; every non-None flag is kept.

    :param submission: the question being asked or edited.
    :returns: a Flag, or None.
    """


@hookspec(firstresult=True)
def qa_moderate_question(submission: Submission, flags: Sequence[Flag]) -> QuestionState | None:
    """Choose where a new or edited question goes: PENDING (moderators) or APPROVED (public).

    Stops at first non-None result.

    :param submission: the question being asked or edited.
    :param flags: what ``qa_flag_question`` raised.
    :returns: QuestionState.PENDING or QuestionState.APPROVED (anything else counts as
        PENDING: a plugin that wants to turn questions away implements qa_validate_question).
    """


@hookspec(firstresult=True)
def qa_suggest_duplicate(
    submission: Submission, candidates: Sequence[Question]
) -> DuplicateSuggestion | None:
    """Point the asker at an existing question that asks the same thing.

    Stops at first non-None result.

    :param submission: the question being asked.
    :param candidates: questions sharing content words with it (a bounded set).
    :returns: the suggestion, or None.
    """


@hookspec(firstresult=True)
def qa_select_questions(selection: Selection) -> Sequence[Question] | None:
    """Order candidates for the guest; the first one is what "next" puts on stage.

    Stops at first non-None result. The built-in implementation runs the strategy
    registered under ``selection.strategy``.

    :param selection: candidates, history, strategy name, seed and how many to return.
    :returns: up to ``selection.count`` questions, best first, or None.
    """


# -- observation -----------------------------------------------------------------------------


@hookspec
def qa_on_event(event: Event, engine: Engine) -> Awaitable[Any] | None:
    """React to something that happened (post to a channel, notify an asker, index...).

    All implementations are called after the change is committed, each isolated: one
    that raises is logged and the others still run. Awaitables are awaited.

    :param event: the event, with snapshots of what it changed.
    :param engine: the engine, to read views or issue follow-up commands.
    """
