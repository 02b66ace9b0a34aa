"""The caselab command as a user meets it."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

SPECS = Path(__file__).parent / "specs"
ROOT = Path(__file__).resolve().parents[1]


def caselab(*args, cwd=None, env=None):
    return subprocess.run([sys.executable, "-m", "caselab.cli", *args], capture_output=True, text=True, cwd=cwd,
                          timeout=120, env={**os.environ, **env} if env else None)


def test_help_tours_every_command():
    out = caselab("--help")
    assert out.returncode == 0
    for command in ("list", "show", "solve", "render", "grade", "drill", "mock", "progress", "guide", "study"):
        assert command in out.stdout
    assert "caselab solve my-spec.toml --json" in out.stdout


def test_list_filters():
    everything = caselab("list", "--json")
    rows = json.loads(everything.stdout)
    assert len(rows) >= 30 and {"id", "company", "difficulty", "topics"} <= set(rows[0])
    tiktok = json.loads(caselab("list", "--company", "tiktok", "--json").stdout)
    assert tiktok and all(r["company"] == "TikTok" for r in tiktok)
    easy = json.loads(caselab("list", "--difficulty", "easy", "--topic", "threshold", "--json").stdout)
    assert easy and all(r["difficulty"] == "easy" and "threshold" in r["topics"] for r in easy)
    table = caselab("list", "--seed-part", "001-4").stdout
    assert "pinterest-f1-cost" in table and "scenario(s)" in table
    none = caselab("list", "--company", "no-such-company")
    assert none.returncode == 1 and "no scenario matches" in none.stdout


def test_show_and_solve():
    show = caselab("show", "pinterest-f1-cost").stdout
    assert "10,000-example validation set" in show and "Q13. [deploy] (decision)" in show
    solve = caselab("solve", "pinterest-f1-cost").stdout
    # the worked answer: value, formula and the numbers, e.g. FP = TP·(1 − P)/P = 360·0.3/0.7
    assert "answer:  154.286" in solve and "FP = TP · (1 − P) / P" in solve and "accepted within ±0.5" in solve


def test_solve_a_spec_anywhere_on_disk_as_json(tmp_path):
    spec = tmp_path / "my-case.toml"
    spec.write_text((SPECS / "good-minimal.toml").read_text().replace('id = "good-minimal"', 'id = "my-case"'))
    out = caselab("solve", str(spec), "--json", cwd=tmp_path)
    answers = json.loads(out.stdout)
    assert answers["deploy"] == "new" and answers["cost_new"] == 370.0  # 1·70 + 10·30, derived in test_spec
    spec.write_text(spec.read_text().replace("cost_fn = 10", "cost_fn = 1"))  # a changed number changes the answers
    again = json.loads(caselab("solve", str(spec), "--json", cwd=tmp_path).stdout)
    assert again["cost_new"] == 70.0 + 30.0 and again["deploy"] == "baseline"


def test_unknown_id_and_broken_spec_give_one_clear_line(tmp_path):
    out = caselab("solve", "pinterest-f1-cots")
    assert out.returncode != 0 and "Did you mean: pinterest-f1-cost" in out.stderr
    bad = tmp_path / "typo-top-key.toml"
    shutil.copy(SPECS / "bad" / "typo-top-key.toml", bad)
    out = caselab("solve", str(bad))
    assert out.returncode != 0 and "titel: unknown key. Did you mean 'title'?" in out.stderr
    assert "Traceback" not in out.stderr


def test_guide_with_no_npm_on_the_path_then_a_rebuild_that_executes_nothing(tmp_path, without_npm):
    out = tmp_path / "site"
    first = caselab("guide", "--out", str(out), "pinterest-f1-cost", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert "0 up to date, 1 to execute" in first.stdout and "[ 1/1] pinterest-f1-cost" in first.stdout
    assert "works offline" in first.stdout and (out / "static" / "embed-amd.js").exists()
    page = out / "cases" / "pinterest-f1-cost.html"
    stamp = page.stat().st_mtime_ns
    again = caselab("guide", "--out", str(out), "pinterest-f1-cost", cwd=tmp_path)
    assert again.returncode == 0 and "1 up to date, 0 to execute" in again.stdout and "[ 1/1]" not in again.stdout
    assert page.stat().st_mtime_ns == stamp
    forced = caselab("guide", "--out", str(out), "--force", "pinterest-f1-cost", cwd=tmp_path)
    assert forced.returncode == 0 and "0 up to date, 1 to execute" in forced.stdout


def stale_copy(path):
    """Make ``path`` look rendered from an older spec: its text differs, its generated hash says it is not
    an edit (an edit in place is reported as such, not as stale)."""
    import nbformat

    from caselab.notebooks import render

    nb = nbformat.read(path, as_version=4)
    nb.cells[0].source = nb.cells[0].source.replace("Pinterest", "Pinterset")
    nb.metadata["caselab"]["generated_hash"] = render.cells_hash(nb)
    path.write_bytes(render.notebook_bytes(nb))


def test_render_check_reports_a_stale_notebook_from_its_records_too(tmp_path):
    # The first run records the notebooks' hashes (in CASELAB_CACHE, a temporary folder in the tests);
    # later checks compare hashes without solving, and must still name a stale file.
    root = ["--root", str(tmp_path), "pinterest-f1-cost"]
    assert caselab("render", *root).returncode == 0
    assert caselab("render", "--check", *root).returncode == 0
    learner = tmp_path / "notebooks" / "pinterest-f1-cost.ipynb"
    stale_copy(learner)
    out = caselab("render", "--check", *root)
    assert out.returncode == 1 and "notebooks/pinterest-f1-cost.ipynb: out of date" in out.stdout
    assert "solutions/" not in out.stdout


def test_render_names_a_malformed_spec_when_its_worker_process_fails(tmp_path):
    """Specs are loaded in worker processes (three or more to load, two jobs): a malformed one still stops the
    run with its own message, naming file and field, and no traceback."""
    book = tmp_path / "casebook"
    book.mkdir()
    for sid in ("pinterest-f1-cost", "fraud-accuracy-paradox", "sentiment-mcc-vs-f1"):
        (book / f"{sid}.toml").write_bytes((ROOT / "casebook" / f"{sid}.toml").read_bytes())
    (book / "bad-question-kind.toml").write_bytes((SPECS / "bad" / "bad-question-kind.toml").read_bytes())
    out = caselab("render", "--root", str(tmp_path), "--jobs", "2", env={"CASELAB_CASEBOOK": str(book)})
    assert out.returncode != 0 and "Traceback" not in out.stderr, out.stderr
    assert f"{book / 'bad-question-kind.toml'}" in out.stderr and "questions[0].kind" in out.stderr, out.stderr


def test_solve_and_show_a_drill_variant_by_its_seed(tmp_path):
    from caselab.scenarios import casebook, variants

    scenario = casebook.load("pinterest-f1-cost")
    givens = variants.draw(scenario, 7)
    expected = casebook.solve(scenario, givens).answers
    out = caselab("solve", "pinterest-f1-cost", "--seed", "7", "--json")
    assert out.returncode == 0, out.stderr
    got = json.loads(out.stdout)
    assert got["f1_baseline"] == expected["f1_baseline"].value  # the variant's numbers, not the casebook's
    # an independent check of one answer from the drawn givens: F1 = 2PR/(P+R)
    p, r = givens["baseline"]["precision"], givens["baseline"]["recall"]
    assert abs(got["f1_baseline"] - 2 * p * r / (p + r)) < 1e-12
    assert got != json.loads(caselab("solve", "pinterest-f1-cost", "--json").stdout)
    text = caselab("solve", "pinterest-f1-cost", "--seed", "7").stdout
    assert "drill variant 7" in text and f"{expected['f1_baseline'].value:.6g}" in text
    show = caselab("show", "pinterest-f1-cost", "--seed", "7").stdout
    assert "drill variant 7" in show and f"{givens['n']:,}-example validation set" in show
    spec = tmp_path / "no-drills.toml"  # a spec without a [variants] table
    spec.write_text((SPECS / "good-minimal.toml").read_text().replace('id = "good-minimal"', 'id = "no-drills"'))
    none = caselab("solve", str(spec), "--seed", "3", cwd=tmp_path)
    assert none.returncode != 0 and "has no [variants] table" in none.stderr and "Traceback" not in none.stderr
    negative = caselab("show", "pinterest-f1-cost", "--seed", "-1")
    assert negative.returncode != 0 and "non-negative integer" in negative.stderr


def test_list_shows_titles_and_time_estimates():
    from caselab.notebooks.start_here import estimate_minutes
    from caselab.scenarios import casebook

    table = caselab("list", "--company", "pinterest").stdout
    f1 = casebook.load("pinterest-f1-cost", check_solver=False)
    line = next(ln for ln in table.splitlines() if ln.startswith("pinterest-f1-cost "))
    assert line.rstrip().endswith(f1.title) and f"{estimate_minutes(f1)} min" in line and " hard " in line
    rows = json.loads(caselab("list", "--json").stdout)
    assert all(r["title"] and r["minutes"] % 5 == 0 and r["minutes"] >= 5 for r in rows)


def test_show_renders_markdown_for_the_terminal(capsys):
    """No raw `**`/backticks from the spec's Markdown; lists keep their lines (stdout is not a terminal: no ANSI)."""
    from caselab import cli
    from caselab.scenarios import casebook

    with_markup = [p.stem for p in sorted(casebook.casebook_dir().glob("*.toml")) if "**" in p.read_text()]
    assert len(with_markup) >= 3
    for sid in with_markup[:6]:
        assert cli.main(["show", sid]) == 0
        out = capsys.readouterr().out
        assert "**" not in out and "\033[" not in out, sid
        s = casebook.load(sid, check_solver=False)
        from caselab.scenarios.spec import fill

        story = fill(s.story, s.givens)  # as shown: placeholders filled
        bold = re.search(r"\*\*(.+?)\*\*", story)
        if bold:
            assert " ".join(bold.group(1).split()[:2]) in out
