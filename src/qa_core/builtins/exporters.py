"""The built-in transcript formats: md, json, csv."""

from __future__ import annotations

from collections.abc import Callable

from ..hookspecs import hookimpl
from ..transcript import BUILTIN_EXPORTERS, Exporter


@hookimpl(trylast=True)
def qa_register_exporters(register: Callable[[str, Exporter], None]) -> None:
    for name, exporter in BUILTIN_EXPORTERS.items():
        register(name, exporter)
