from __future__ import annotations

from collections.abc import Callable

import pytest

from qa_core.ports import Store
from qa_core.stores.memory import MemoryStore
from qa_core.testing.store_contract import StoreContract


class TestMemoryStore(StoreContract):
    persistent = False

    @pytest.fixture
    def store_factory(self) -> Callable[[], Store]:
        return MemoryStore
