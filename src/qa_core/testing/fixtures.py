"""pytest fixtures for engines over any store. Override ``qa_store`` to test your own."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from ..engine import Engine
from ..plugins import Hooks, make_plugin_manager
from ..ports import Store
from .people import Cast, ManualClock


@pytest.fixture
def qa_clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def qa_cast() -> Cast:
    return Cast()


@pytest.fixture(params=["memory", "sqlite"])
def qa_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """Each engine test runs on every built-in store."""
    from ..stores import open_store

    url = "memory:" if request.param == "memory" else f"sqlite:///{tmp_path / 'qa.db'}"
    yield open_store(url)


@pytest.fixture
def qa_plugins() -> list[object]:
    """Extra plugins for ``qa_engine``; override to add yours."""
    return []


@pytest.fixture
async def qa_engine(
    qa_store: Store, qa_clock: ManualClock, qa_plugins: list[object]
) -> AsyncIterator[Engine]:
    pm = make_plugin_manager(load_entrypoints=False, plugins=qa_plugins)
    engine = Engine(qa_store, Hooks(pm), clock=qa_clock)
    await engine.start()
    yield engine
    await engine.stop()
