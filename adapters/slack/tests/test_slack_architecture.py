"""The adapter uses only the core's public API, and the core never imports Slack."""

from __future__ import annotations

import ast
from pathlib import Path

import qa_core_slack

import qa_core

ADAPTER = Path(qa_core_slack.__file__).parent
CORE = Path(qa_core.__file__).parent
ALLOWED_CORE_MODULES = {"qa_core", "qa_core.app"}  # the package, and the documented wiring


def imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
    return found


def test_the_adapter_uses_only_the_public_core_api() -> None:
    used = {
        (path.name, module)
        for path in ADAPTER.rglob("*.py")
        for module in imports(path)
        if module.startswith("qa_core") and not module.startswith("qa_core_slack")
    }
    assert used, "the walk found nothing: the test would pass vacuously"
    assert {m for _, m in used} <= ALLOWED_CORE_MODULES, sorted(used)


def test_the_core_never_imports_slack() -> None:
    for path in CORE.rglob("*.py"):
        assert not {m for m in imports(path) if m.startswith(("slack", "qa_core_slack"))}, path


def test_every_public_name_is_importable() -> None:
    for name in qa_core_slack.__all__:
        assert getattr(qa_core_slack, name) is not None
