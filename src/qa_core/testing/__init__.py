"""Test helpers shipped with qa_core, so plugin, store and adapter authors test as the core does.

``pytest`` loads ``qa_core.testing.fixtures`` automatically (a ``pytest11`` entry point).
"""

from __future__ import annotations

from .people import Cast, ManualClock

__all__ = ["Cast", "ManualClock"]
