"""Store implementations, and ``open_store`` to pick one from a database URL."""

from __future__ import annotations

from ..ports import Store


def open_store(url: str) -> Store:
    """``memory:``, ``sqlite:///path/to.db`` (or ``sqlite:///:memory:``)."""
    if url in ("memory", "memory:", "memory://"):
        from .memory import MemoryStore

        return MemoryStore()
    if url.startswith("sqlite:///"):
        from .sqlite import SQLiteStore

        return SQLiteStore(url.removeprefix("sqlite:///"))
    from ..errors import InvalidInput

    raise InvalidInput(f"Unsupported database URL {url!r}: use sqlite:///PATH or memory:.")
