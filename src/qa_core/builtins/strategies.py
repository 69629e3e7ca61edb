"""The built-in selection strategies, and the default selection by registered name."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from ..hookspecs import hookimpl
from ..models import Question
from ..ranking import BUILTIN_STRATEGIES
from ..selection import Selection, Strategy


@hookimpl(trylast=True)
def qa_register_strategies(register: Callable[[str, Strategy], None]) -> None:
    for name, strategy in BUILTIN_STRATEGIES.items():
        register(name, strategy)


@hookimpl(trylast=True)
def qa_select_questions(selection: Selection) -> Sequence[Question] | None:
    if selection.registered is None:
        return None
    return selection.registered(selection)
