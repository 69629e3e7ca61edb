"""Platform runners: how ``qa-bot run NAME`` starts an adapter, found by entry point.

An adapter distribution declares, in its pyproject::

    [project.entry-points."qa_core.runners"]
    discord = "qa_core_discord.runner:runner"

and its ``[discord]`` section of the configuration file is handed to it, checked by its own
``check`` so ``qa-bot config check`` names those mistakes too.
"""

from __future__ import annotations

from collections.abc import Mapping
from importlib.metadata import entry_points
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from .config import Config

GROUP = "qa_core.runners"


class Runner(Protocol):
    def check(self, section: Mapping[str, Any]) -> list[str]:
        """Problems in this platform's configuration section, each "key: what is wrong"."""

    def run(self, config: Config, section: Mapping[str, Any]) -> None:
        """Run the bot until it is stopped (blocks)."""


def installed_runners() -> dict[str, Any]:
    """Entry points of the installed runners, by platform name (not loaded yet)."""
    return {ep.name: ep for ep in entry_points(group=GROUP)}


def load_runner(name: str) -> Runner:
    found = installed_runners()
    if name not in found:
        from .errors import InvalidInput

        known = ", ".join(sorted(found))
        hint = f"installed: {known}" if known else f"install qa-core-{name}"
        raise InvalidInput(f"No runner for {name!r} ({hint}).")
    runner: Runner = found[name].load()
    return runner
