"""Project hygiene a new user or CI would trip on."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~ \[;]", requirement.strip(), maxsplit=1)[0].lower().replace("_", "-")


def _environment_yml() -> tuple[dict[str, str], list[str]]:
    """conda dependencies {name: spec} and the pip section, read without a YAML library."""
    conda, pip, in_pip, in_deps = {}, [], False, False
    for line in (ROOT / "environment.yml").read_text().splitlines():
        stripped = line.split("#", 1)[0].rstrip()
        if not stripped.strip():
            continue
        if not stripped.startswith(" "):
            in_deps = stripped == "dependencies:"
            continue
        if not in_deps:
            continue
        if re.match(r"^\s{6}- ", stripped) and in_pip:
            pip.append(stripped.strip()[2:])
        elif m := re.match(r"^\s{2}- (.+)$", stripped):
            item = m.group(1).strip()
            in_pip = item == "pip:"
            if not in_pip:
                conda[_name(item)] = item.replace(" ", "")
    return conda, pip


def test_environment_yml_lists_the_same_dependencies_as_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = project["dependencies"] + project["optional-dependencies"]["test"]
    conda, pip = _environment_yml()
    for req in wanted:
        assert _name(req) in conda, f"{req} is in pyproject.toml but not in environment.yml"
        assert conda[_name(req)] == req.replace(" ", ""), f"version specs differ for {_name(req)}"
    extra = set(conda) - {_name(r) for r in wanted} - {"python", "pip"}
    assert not extra, f"environment.yml has dependencies pyproject.toml lacks: {sorted(extra)}"
    assert "-e ." in pip, "environment.yml installs the package itself with pip"
    python = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["requires-python"]
    assert conda["python"] == "python" + python


def test_ci_runs_exactly_the_readme_test_command():
    readme = (ROOT / "README.md").read_text()
    m = re.search(r"\*\*Test\*\*.*?```bash\n(.+?)\n```", readme, re.S)
    assert m, "README has a Test section with a bash block"
    command = m.group(1).strip()
    assert "pytest" in command
    ci = (ROOT / ".ci" / "run").read_text()
    assert command in ci.splitlines(), "CI runs the README's test command verbatim"


def test_nothing_reads_the_shared_folder():
    for path in list((ROOT / "src").rglob("*.py")) + list((ROOT / "tests").rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        needles = (".." + "/shared", "/work" + "/shared")  # spelled apart so this file does not match itself
        assert not any(n in text for n in needles), f"{path} refers to the shared folder"


def test_what_caselab_grade_and_study_run_is_installed_by_the_study_install():
    """`pip install -e .` alone must make `caselab grade` (pytest + a kernel) and `caselab study` (JupyterLab) work."""
    runtime = {_name(r) for r in tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]}
    assert {"pytest", "nbclient", "ipykernel", "jupyterlab"} <= runtime


def test_gitignore_keeps_a_learners_files_out_of_git():
    ignored = {line.strip() for line in (ROOT / ".gitignore").read_text().splitlines()}
    assert {"workspace/", "drills/", "*.new.ipynb"} <= ignored
