"""The layering in STYLE.md, held by walking the imports."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parent.parent / "src" / "qa_core"
PLATFORM_SDKS = {"discord", "slack_bolt", "slack_sdk", "aiohttp", "starlette", "fastapi"}
# Pure data and rules: no I/O, no clock, no hooks, nothing above them.
PURE = [
    "models.py",
    "commands.py",
    "events.py",
    "errors.py",
    "text.py",
    "ranking.py",
    "selection.py",
    "screening.py",
    "rules/sessions.py",
    "rules/questions.py",
    "rules/permissions.py",
]
ABOVE_PURE = {
    "engine",
    "plugins",
    "stores",
    "context",
    "handlers",
    "views",
    "cli",
    "app",
    "hookspecs",
    "builtins",
    "replay",
    "transcript",
    "importing",
    "config",
}
IO_MODULES = {"sqlite3", "asyncio", "socket", "os", "subprocess", "pathlib", "time"}


def imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = "." * node.level + (node.module or "")
            found.add(base)
    return found


def test_the_core_never_imports_a_platform_sdk() -> None:
    for path in SRC.rglob("*.py"):
        roots = {name.split(".")[0] for name in imports(path) if not name.startswith(".")}
        assert not roots & PLATFORM_SDKS, f"{path.relative_to(SRC)} imports {roots & PLATFORM_SDKS}"


@pytest.mark.parametrize("module", PURE)
def test_pure_modules_import_nothing_above_them_and_do_no_io(module: str) -> None:
    for name in imports(SRC / module):
        if name.startswith("."):
            first = name.lstrip(".").split(".")[0]
            assert first not in ABOVE_PURE, f"{module} imports {name}"
        else:
            assert name.split(".")[0] not in IO_MODULES, f"{module} imports {name}"
    source = (SRC / module).read_text()
    assert "datetime.now" not in source and "time.time" not in source, f"{module} reads the clock"


def test_no_module_is_a_god_module() -> None:
    sizes = {p.relative_to(SRC): len(p.read_text().splitlines()) for p in SRC.rglob("*.py")}
    assert max(sizes.values()) <= 600, sorted(sizes.items(), key=lambda kv: -kv[1])[:3]
