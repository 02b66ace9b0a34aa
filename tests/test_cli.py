"""The caselab command as a user meets it."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

SPECS = Path(__file__).parent / "specs"


def caselab(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "caselab.cli", *args], capture_output=True, text=True, cwd=cwd,
                          timeout=120)


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
        story = casebook.load(sid, check_solver=False).story
        bold = re.search(r"\*\*(.+?)\*\*", story)
        if bold:
            assert " ".join(bold.group(1).split()[:2]) in out
