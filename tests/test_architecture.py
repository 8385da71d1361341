"""The layout's promises, checked: the solver stays plain Python, and no two modules import
each other (an import circle makes the order of imports matter and hides the architecture)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("scheduler", "web")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            if "migrations" not in path.parts:
                found[_module_name(path)] = path
    return found


def _imported(path: Path, name: str, known: set[str]) -> set[str]:
    """Modules of ours that `path` imports anywhere: at load, inside a function or for type
    checking only. A deferred import hides a circle from Python but not from the reader."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    targets: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            targets.add(base)
            targets.update(f"{base}.{alias.name}" for alias in node.names)
    return {target for target in targets if target in known and target != name}


def _circles() -> list[list[str]]:
    modules = _modules()
    graph = {name: _imported(path, name, set(modules)) for name, path in modules.items()}
    circles, state = [], {}

    def walk(name: str, trail: list[str]) -> None:
        state[name] = "open"
        for target in sorted(graph[name]):
            if state.get(target) == "open":
                circles.append([*trail[trail.index(target) :], target])
            elif target not in state:
                walk(target, [*trail, target])
        state[name] = "done"

    for name in sorted(graph):
        if name not in state:
            walk(name, [name])
    return circles


def test_no_module_imports_itself_through_others():
    circles = [" -> ".join(circle) for circle in _circles()]
    assert circles == [], "import circles:\n" + "\n".join(circles)


def test_the_circle_finder_sees_a_circle(tmp_path, monkeypatch):
    """The check above could pass by seeing nothing: give it a circle it must report."""
    package = tmp_path / "scheduler"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "a.py").write_text("from scheduler.b import thing\n")
    (package / "b.py").write_text("def later():\n    from scheduler import a\n")
    (package / "c.py").write_text("from scheduler.b import thing\n")
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    monkeypatch.setattr(sys.modules[__name__], "PACKAGES", ("scheduler",))
    assert _circles() == [["scheduler.a", "scheduler.b", "scheduler.a"]]


@pytest.mark.parametrize(
    "module", sorted(name for name in _modules() if name.split(".")[0] == "scheduler")
)
def test_scheduler_never_imports_web_or_database_code(module):
    code = (
        f"import sys, {module};"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('flask', 'sqlalchemy', 'web')];"
        "print(bad); sys.exit(1 if bad else 0)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


SERVICE_LAYER = ("operations", "models", "conversion", "db", "jobs", "job", "importing")


def test_the_service_layer_needs_no_flask():
    """Operations, models, import and the jobs are what views, the CLI, the queue's workers
    and the API share: none may need a web request to run (docs/architecture.md)."""
    modules = _modules()
    shared = [
        name
        for name in modules
        if name.startswith("web.") and set(name.split(".")[1:]) & set(SERVICE_LAYER)
    ]
    assert "web.schedules.operations" in shared and "web.importing.files" in shared
    code = (
        f"import sys, {', '.join(shared)};"
        "bad = [m for m in sys.modules if m.split('.')[0].startswith('flask')];"
        "print(bad); sys.exit(1 if bad else 0)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
