"""The layering rule: core/ never imports telegram or bot (DESIGN, "Layers and packages")."""

import ast
from pathlib import Path

CORE = Path(__file__).resolve().parents[2] / "core"


def imported_packages(path: Path) -> set[str]:
    """Top-level packages a module imports, including imports inside functions."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


def test_core_never_imports_telegram_or_bot() -> None:
    modules = list(CORE.rglob("*.py"))
    assert len(modules) > 20  # the walk really found core
    found = {str(p): imported_packages(p) & {"telegram", "bot"} for p in modules}
    assert {path: bad for path, bad in found.items() if bad} == {}


def test_the_import_check_sees_imports_inside_functions(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text("def f():\n    from telegram import Bot\n    import bot.app\n")
    assert imported_packages(module) == {"telegram", "bot"}
