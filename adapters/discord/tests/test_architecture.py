"""The adapter stands on the core's public API only, and the core never imports Discord."""

from __future__ import annotations

import ast
from pathlib import Path

import qa_core_discord

import qa_core

ADAPTER = Path(qa_core_discord.__file__).parent
CORE = Path(qa_core.__file__).parent
# build_engine is the documented wiring entry point for adapters (docs/configuration.md).
ALLOWED_MODULES = {"qa_core", "qa_core.app"}


def imports(root: Path) -> list[tuple[Path, str, list[str]]]:
    found = []
    for path in sorted(root.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                found.append((path, node.module, [a.name for a in node.names]))
            elif isinstance(node, ast.Import):
                found += [(path, a.name, []) for a in node.names]
    return found


def test_the_adapter_uses_only_the_public_api() -> None:
    for path, module, names in imports(ADAPTER):
        if module.split(".")[0] != "qa_core":
            continue
        assert module in ALLOWED_MODULES, f"{path.name} imports {module}"
        if module == "qa_core":
            private = [n for n in names if n not in qa_core.__all__]
            assert not private, f"{path.name} imports {private} from qa_core"


def test_the_core_never_imports_discord() -> None:
    for path, module, _ in imports(CORE):
        assert module.split(".")[0] not in ("discord", "qa_core_discord"), path
