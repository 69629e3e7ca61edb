"""Built-in policies, registered as ordinary plugins with ``trylast`` so installed ones win."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from . import exporters, permissions, screening, strategies

if TYPE_CHECKING:
    from ..config import ScreeningConfig


def builtin_plugins(config: ScreeningConfig | None = None) -> Iterator[tuple[str, object]]:
    """(name, plugin) pairs; block any of them by name in ``make_plugin_manager``."""
    from ..config import ScreeningConfig

    config = config or ScreeningConfig()
    yield "qa_core.permissions", permissions
    yield "qa_core.clean_text", screening.CleanText()
    yield "qa_core.length", screening.LengthLimit()
    yield "qa_core.rate_limit", screening.RateLimit()
    yield "qa_core.slow_mode", screening.SlowMode()
    yield "qa_core.word_filter", screening.WordFilter(config.blocked_words)
    yield "qa_core.not_a_question", screening.NotAQuestion()
    yield "qa_core.duplicates", screening.DuplicateFinder(config.duplicate_threshold)
    yield "qa_core.moderation", screening.DefaultModeration()
    yield "qa_core.strategies", strategies
    yield "qa_core.exporters", exporters
