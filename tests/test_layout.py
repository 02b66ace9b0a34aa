"""The package reads like the design: each layer imports only the layers below it.

maths < scenarios < notebooks < practice < cli (and ``caselab/__init__.py``, the learner's ``caselab.case``).
Every import counts, including the ones inside functions (a lazy import is still a dependency).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "caselab"
LAYERS = ["maths", "scenarios", "notebooks", "practice", "top"]


def _layer(module: str) -> str:
    """The layer of a caselab module name (``caselab.maths.curves`` -> ``maths``)."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in LAYERS[:-1] else "top"


def _module_name(path: Path) -> str:
    rel = path.relative_to(SRC.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _caselab_imports(path: Path) -> list[tuple[int, str]]:
    """(line, module) for every import of a caselab module in the file, relative imports resolved."""
    tree = ast.parse(path.read_text(), filename=str(path))
    package = _module_name(path) if path.name == "__init__.py" else _module_name(path).rpartition(".")[0]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names if a.name.split(".")[0] == "caselab"]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                mod = ".".join(base + ([node.module] if node.module else []))
            else:
                mod = node.module or ""
            if mod.split(".")[0] != "caselab":
                continue
            for a in node.names:  # `from caselab.practice import journal` imports the submodule
                sub = f"{mod}.{a.name}"
                found.append((node.lineno, sub if _is_module(sub) else mod))
    return found


def _is_module(name: str) -> bool:
    path = SRC.parent.joinpath(*name.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


MODULES = sorted(p for p in SRC.rglob("*.py"))


def test_every_module_is_in_a_layer():
    top_level = sorted(p.name for p in SRC.glob("*.py"))
    assert top_level == ["__init__.py", "cli.py"], f"modules outside the layers: {top_level}"
    assert {p.name for p in SRC.iterdir() if p.is_dir() and not p.name.startswith("__")} >= set(LAYERS[:-1])


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(SRC)))
def test_imports_only_from_layers_below(path):
    me = _layer(_module_name(path))
    wrong = [f"line {line}: imports {mod} ({_layer(mod)})" for line, mod in _caselab_imports(path)
             if LAYERS.index(_layer(mod)) > LAYERS.index(me)]
    assert not wrong, f"{path.relative_to(SRC)} is in layer {me!r} but\n" + "\n".join(wrong)


def test_maths_imports_nothing_else_of_caselab():
    for path in (SRC / "maths").rglob("*.py"):
        for line, mod in _caselab_imports(path):
            assert mod.startswith("caselab.maths"), f"{path.relative_to(SRC)}:{line} imports {mod}"


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(SRC)))
def test_imports_name_modules_that_exist(path):
    missing = [f"line {line}: {mod}" for line, mod in _caselab_imports(path) if not _is_module(mod)]
    assert not missing, f"{path.relative_to(SRC)} imports modules that do not exist:\n" + "\n".join(missing)


def test_the_two_former_import_circles_stay_cut():
    spec = {m for _, m in _caselab_imports(SRC / "scenarios" / "spec.py")}
    assert "caselab.scenarios.variants" not in spec  # variants import spec, not the other way round
    render = {m for _, m in _caselab_imports(SRC / "notebooks" / "render.py")}
    assert not any(m.startswith("caselab.practice") for m in render)  # worked answers live in scenarios.text


def test_the_check_can_fail():
    # the checker sees lazy imports inside functions and `from caselab import x` forms
    sample = SRC / "practice" / "mock.py"
    mods = {m for _, m in _caselab_imports(sample)}
    assert "caselab.scenarios.variants" in mods and "caselab.practice.grading" in mods


def test_learner_facing_short_names_still_work():
    import caselab

    assert caselab.curves.average_precision([0, 1], [0.1, 0.9]) == 1.0
    assert callable(caselab.widgets.threshold_explorer)
    assert caselab.case("pinterest-f1-cost").check("f1_baseline", 2 * 0.7 * 0.45 / 1.15).passed
