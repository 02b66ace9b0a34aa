"""Rendering: reproducible bytes, committed notebooks in sync, a learner's edits never lost."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from caselab.notebooks import render
from caselab.scenarios import casebook

ROOT = Path(__file__).resolve().parent.parent


def test_rendering_twice_gives_the_same_bytes():
    scenario = casebook.load("pinterest-f1-cost")
    for kind in render.KINDS:
        a = render.notebook_bytes(render.build_notebook(scenario, kind))
        b = render.notebook_bytes(render.build_notebook(scenario, kind))
        assert a == b


def test_committed_notebooks_are_in_sync_with_the_casebook():
    results = render.render_all(casebook.load_all(), ROOT, check=True)
    stale = [str(r.path) for r in results if r.status != "unchanged"]
    assert not stale, f"run `caselab render`: out of date: {stale}"


def test_learner_notebook_holds_no_answer():
    scenario = casebook.load("pinterest-f1-cost")
    nb = render.build_notebook(scenario, "learner")
    text = json.dumps(nb)
    solution = casebook.solve(scenario)
    for qid in ("fp_baseline", "tn_baseline", "cost_baseline", "cost_new"):
        assert f"{solution.answers[qid].value:.2f}" not in text
    answer_cells = [c for c in nb.cells if c.metadata["caselab"]["role"] == "answer"]
    assert len(answer_cells) == len(scenario.questions)
    assert all(" = ...  #" in c.source for c in answer_cells)


def test_check_mode_names_stale_files_and_a_learners_edit_survives(tmp_path):
    scenario = casebook.load("pinterest-f1-cost")
    first = render.render_scenario(scenario, tmp_path)
    assert {r.status for r in first} == {"created"}
    assert {r.status for r in render.render_scenario(scenario, tmp_path)} == {"unchanged"}

    learner = tmp_path / "notebooks" / "pinterest-f1-cost.ipynb"
    nb = json.loads(learner.read_text())
    answer = next(c for c in nb["cells"] if c["metadata"]["caselab"].get("question") == "f1_baseline"
                  and c["metadata"]["caselab"]["role"] == "answer")
    answer["source"] = "f1_baseline = 2 * 0.7 * 0.45 / 1.15  # my work"
    learner.write_text(json.dumps(nb))
    edited = learner.read_bytes()

    assert render.is_edited(learner)
    stale = render.render_scenario(scenario, tmp_path, check=True)
    assert [r.status for r in stale] == ["stale", "unchanged"]
    again = render.render_scenario(scenario, tmp_path)
    assert again[0].status == "kept-edited" and "you edited it" in again[0].describe()
    assert learner.read_bytes() == edited, "the learner's file is untouched"
    assert again[0].beside.exists() and not render.is_edited(again[0].beside)


def test_a_notebook_that_was_only_run_is_not_an_edit(tmp_path):
    scenario = casebook.load("pinterest-f1-cost")
    render.render_scenario(scenario, tmp_path)
    path = tmp_path / "solutions" / "pinterest-f1-cost.ipynb"
    nb = json.loads(path.read_text())
    for c in nb["cells"]:
        if c["cell_type"] == "code":
            c["execution_count"] = 1
            c["outputs"] = [{"output_type": "stream", "name": "stdout", "text": "hi\n"}]
    path.write_text(json.dumps(nb))
    assert not render.is_edited(path)
    assert render.render_scenario(scenario, tmp_path)[1].status == "written"


def test_corrupt_notebook_is_never_overwritten(tmp_path):
    scenario = casebook.load("pinterest-f1-cost")
    path = tmp_path / "notebooks" / "pinterest-f1-cost.ipynb"
    path.parent.mkdir(parents=True)
    path.write_text("{not json")
    result = render.render_scenario(scenario, tmp_path)[0]
    assert result.status == "kept-edited" and path.read_text() == "{not json"


def test_cli_render_check_exits_nonzero_naming_files(tmp_path):
    cmd = [sys.executable, "-m", "caselab.cli", "render", "--root", str(tmp_path), "pinterest-f1-cost"]
    assert subprocess.run(cmd, capture_output=True, text=True).returncode == 0
    (tmp_path / "solutions" / "pinterest-f1-cost.ipynb").write_text("{}")
    out = subprocess.run(cmd + ["--check"], capture_output=True, text=True)
    assert out.returncode == 1
    assert "solutions/pinterest-f1-cost.ipynb: out of date" in out.stdout


def test_dollar_signs_are_money_not_latex():
    from caselab.scenarios.text import escape_dollars

    assert escape_dollars("a $5 fee and a $500 loss") == r"a \$5 fee and a \$500 loss"
    assert escape_dollars(r"already \$3") == r"already \$3"
    assert escape_dollars("`x = '$'` and\n```python\ny = '$'\n```") == "`x = '$'` and\n```python\ny = '$'\n```"
    scenario = casebook.load("fraud-example-dependent-costs")
    nb = render.build_notebook(scenario, "learner")
    markdown = "".join(c.source for c in nb.cells if c.cell_type == "markdown")
    assert "$" in scenario.story or any("$" in q.prompt for q in scenario.questions)
    assert not __import__("re").search(r"(?<!\\)\$", markdown), "every $ in Markdown is escaped"


def test_render_specs_remembers_what_it_rendered_and_still_reports_a_stale_notebook(tmp_path, monkeypatch):
    monkeypatch.setenv("CASELAB_CACHE", str(tmp_path / "cache"))
    spec = tmp_path / "casebook" / "pinterest-f1-cost.toml"
    spec.parent.mkdir()
    spec.write_bytes((casebook.casebook_dir() / "pinterest-f1-cost.toml").read_bytes())
    root = tmp_path / "project"
    loaded = []

    def load(path):
        loaded.append(path)
        return casebook.load(path)

    first = render.render_specs([spec], root, load=load)
    assert [r.status for r in first] == ["created", "created"] and len(loaded) == 1
    expected = {r.path: r.path.read_bytes() for r in first}
    assert expected == {root / f / "pinterest-f1-cost.ipynb": render.notebook_bytes(
        render.build_notebook(casebook.load(spec), k)) for k, f in render.FOLDERS.items()}

    # Known inputs: checked by hash, without loading (or solving) the spec.
    again = render.render_specs([spec], root, check=True, load=load)
    assert [r.status for r in again] == ["unchanged", "unchanged"] and len(loaded) == 1

    # A notebook changed on disk is still reported, still without loading.
    solution = root / "solutions" / "pinterest-f1-cost.ipynb"
    solution.write_bytes(expected[solution].replace(b"worked solution", b"worked solutions"))
    stale = render.render_specs([spec], root, check=True, load=load)
    assert [r.status for r in stale] == ["unchanged", "stale"] and len(loaded) == 1
    solution.unlink()
    assert [r.status for r in render.render_specs([spec], root, check=True, load=load)] == ["unchanged", "stale"]

    # Rendering (not checking) with a known key but a file to write loads the spec and writes it back.
    assert [r.status for r in render.render_specs([spec], root, load=load)] == ["unchanged", "created"]
    assert solution.read_bytes() == expected[solution] and len(loaded) == 2

    # A changed spec is a new key: loaded, and its stale notebooks reported.
    spec.write_text(spec.read_text(encoding="utf-8").replace("\ncost_fn = 5\n", "\ncost_fn = 6\n"), encoding="utf-8")
    changed = render.render_specs([spec], root, check=True, load=load)
    assert len(loaded) == 3 and {r.status for r in changed} == {"stale"}
    # The cache can be ignored (and then nothing is recorded).
    assert {r.status for r in render.render_specs([spec], root, check=True, load=load, cache=False)} == {"stale"}
    assert len(loaded) == 4


def test_render_specs_with_a_corrupt_cache_file_starts_afresh(tmp_path, monkeypatch):
    from caselab.notebooks import fingerprint

    monkeypatch.setenv("CASELAB_CACHE", str(tmp_path / "cache"))
    (tmp_path / "cache").mkdir()
    (tmp_path / "cache" / "render.json").write_text("{not json")
    [key] = fingerprint.scenario_keys([casebook.casebook_dir() / "pinterest-f1-cost.toml"], "render", kernel=False,
                                      code=False)
    results = render.render_specs([casebook.casebook_dir() / "pinterest-f1-cost.toml"], ROOT, check=True,
                                  orphans=False)
    assert {r.status for r in results} == {"unchanged"}
    assert key in fingerprint.read_cache(tmp_path / "cache" / "render.json")["entries"]


def test_render_records_stay_valid_across_code_rendering_never_imports(tmp_path):
    """A record holds the sha256 of the package files imported when it was made: editing one of them (the
    grader, the library) invalidates it; editing a module rendering never imports (the widgets, the study
    guide) does not. Run on a copy of the package, imported by `caselab render --check` in a subprocess."""
    import os
    import shutil

    import caselab

    real = Path(caselab.__file__).resolve().parent
    src = tmp_path / "src"
    shutil.copytree(real, src / "caselab", ignore=shutil.ignore_patterns("__pycache__"))
    cache = tmp_path / "cache"
    env = {**os.environ, "PYTHONPATH": str(src), "CASELAB_CACHE": str(cache),
           "CASELAB_CASEBOOK": str(casebook.casebook_dir())}
    records = cache / "render.json"

    def rendered_again() -> bool:
        """Run the check; True if it had to render (a new record was written), False if the record served."""
        before = records.stat().st_mtime_ns if records.exists() else None
        out = subprocess.run([sys.executable, "-m", "caselab.cli", "render", "--check", "--root", str(ROOT),
                              "pinterest-f1-cost"], env=env, capture_output=True, text=True, timeout=300)
        assert out.returncode == 0 and "up to date" in out.stdout, out.stdout + out.stderr
        return records.stat().st_mtime_ns != before

    def edit(name: str) -> None:
        import importlib

        module = importlib.import_module(name)
        path = src / "caselab" / Path(module.__file__).resolve().relative_to(real)
        path.write_text(path.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")

    assert rendered_again() and not rendered_again()
    edit("caselab.notebooks.widgets")
    edit("caselab.notebooks.guide")
    edit("caselab.practice.grading")
    assert not rendered_again(), "rendering imports neither the widgets, the guide nor the grader"
    edit("caselab.scenarios.text")
    assert rendered_again() and not rendered_again()
    edit("caselab.maths.metrics")
    assert rendered_again()
