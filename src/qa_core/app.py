"""Wiring: an engine built from configuration. Adapters and the CLI start here."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime

from .config import Config
from .engine import Engine, utcnow
from .plugins import Hooks, make_plugin_manager
from .stores import open_store


def build_engine(
    config: Config,
    *,
    plugins: Iterable[object] = (),
    clock: Callable[[], datetime] = utcnow,
) -> Engine:
    """The configured store, the plugins (built-in, ``plugins``, installed) and the defaults."""
    pm = make_plugin_manager(
        load_entrypoints=config.plugins.load_entrypoints,
        block=config.plugins.block,
        plugins=plugins,
        screening=config.screening,
    )
    return Engine(open_store(config.database.url), Hooks(pm), clock=clock, defaults=config.defaults)
