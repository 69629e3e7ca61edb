"""The plugin manager factory and a typed facade over the hooks."""

from __future__ import annotations

import inspect
import logging
from collections.abc import Iterable, Mapping, Sequence
from functools import cached_property
from typing import TYPE_CHECKING, Any

import pluggy

from . import hookspecs
from .errors import InvalidInput
from .events import Event
from .hookspecs import PROJECT
from .models import DuplicateSuggestion, Flag, Question, QuestionState
from .rules.permissions import PermissionRequest
from .screening import Refusal, Submission
from .selection import Selection, Strategy

if TYPE_CHECKING:
    from .config import ScreeningConfig
    from .engine import Engine
    from .transcript import Exporter

log = logging.getLogger(__name__)


def make_plugin_manager(
    *,
    load_entrypoints: bool = True,
    block: Iterable[str] = (),
    plugins: Iterable[object] = (),
    screening: ScreeningConfig | None = None,
) -> pluggy.PluginManager:
    """Build a plugin manager: built-ins (``trylast``), then ``plugins``, then entry points.

    :param load_entrypoints: load installed plugins from the ``qa_core`` entry-point group.
    :param block: plugin names never to register (built-ins included, e.g. "qa_core.word_filter").
    :param plugins: extra plugin objects to register, e.g. an adapter's event publisher.
    :param screening: settings of the built-in screening plugins.
    """
    from .builtins import builtin_plugins

    pm = pluggy.PluginManager(PROJECT)
    pm.add_hookspecs(hookspecs)
    for name in block:
        pm.set_blocked(name)
    for name, plugin in builtin_plugins(screening):
        pm.register(plugin, name=name)  # a blocked name is silently skipped
    for plugin in plugins:
        pm.register(plugin)
    if load_entrypoints:
        pm.load_setuptools_entrypoints(PROJECT)
    pm.check_pending()
    return pm


class Hooks:
    """One typed method per hook, so mypy checks every call the engine makes."""

    def __init__(self, pm: pluggy.PluginManager) -> None:
        self.pm = pm
        self._hook = pm.hook

    # -- registries, collected once ------------------------------------------------------------

    @cached_property
    def strategies(self) -> Mapping[str, Strategy]:
        return self._collect(self._hook.qa_register_strategies)

    @cached_property
    def exporters(self) -> Mapping[str, Exporter]:
        return self._collect(self._hook.qa_register_exporters)

    @staticmethod
    def _collect(hook: Any) -> dict[str, Any]:
        found: dict[str, Any] = {}

        def register(name: str, thing: Any) -> None:
            found.setdefault(name, thing)  # the first plugin called wins: installed over built-in

        hook(register=register)
        return found

    # -- decisions ------------------------------------------------------------------------------

    def check_permission(self, request: PermissionRequest) -> bool:
        decided = self._hook.qa_check_permission(request=request)
        if decided is None:  # the built-in policy was blocked and nothing replaced it
            log.warning("no plugin decided %s; denied", request.action.value)
            return False
        return bool(decided)

    def clean_text(self, text: str) -> str:
        cleaned = self._hook.qa_clean_text(text=text)
        return text if cleaned is None else str(cleaned)

    def validate_question(self, submission: Submission) -> Refusal | None:
        refusal: Refusal | None = self._hook.qa_validate_question(submission=submission)
        return refusal

    def flag_question(self, submission: Submission) -> tuple[Flag, ...]:
        return tuple(f for f in self._hook.qa_flag_question(submission=submission) if f)

    def moderate_question(self, submission: Submission, flags: Sequence[Flag]) -> QuestionState:
        state = self._hook.qa_moderate_question(submission=submission, flags=flags)
        if state is QuestionState.APPROVED:
            return state
        if state not in (None, QuestionState.PENDING):
            log.warning("qa_moderate_question returned %r; held for moderators", state)
        return QuestionState.PENDING

    def suggest_duplicate(
        self, submission: Submission, candidates: Sequence[Question]
    ) -> DuplicateSuggestion | None:
        suggestion: DuplicateSuggestion | None = self._hook.qa_suggest_duplicate(
            submission=submission, candidates=candidates
        )
        return suggestion

    def strategy(self, name: str) -> Strategy:
        try:
            return self.strategies[name]
        except KeyError:
            known = ", ".join(sorted(self.strategies))
            raise InvalidInput(f"Unknown selection strategy {name!r}; known: {known}.") from None

    def select_questions(self, selection: Selection) -> list[Question]:
        chosen = self._hook.qa_select_questions(selection=selection)
        if chosen is None:
            raise InvalidInput(f"No plugin selected questions for {selection.strategy!r}.")
        return list(chosen)[: selection.count]

    # -- observation and lifecycle -------------------------------------------------------------

    async def publish(self, event: Event, engine: Engine) -> None:
        await self._call_isolated("qa_on_event", event=event, engine=engine)

    async def startup(self, engine: Engine) -> None:
        for result in self._hook.qa_startup(engine=engine):
            if inspect.isawaitable(result):
                await result

    async def shutdown(self, engine: Engine) -> None:
        await self._call_isolated("qa_shutdown", engine=engine)

    async def _call_isolated(self, name: str, **kwargs: Any) -> None:
        """Call each implementation on its own, so one failing plugin cannot silence the rest."""
        caller = getattr(self._hook, name)
        for impl in reversed(caller.get_hookimpls()):  # pluggy's own calling order
            try:
                result = impl.function(*(kwargs[arg] for arg in impl.argnames))
                if inspect.isawaitable(result):
                    await result
            except Exception:
                log.exception("plugin %r failed in %s", impl.plugin_name, name)
