"""Where to start: time estimates by the stated rule, both paths cover every case, the notebook and the guide page."""

from __future__ import annotations

import html
import re
from dataclasses import replace

import nbformat
import pytest

from caselab.notebooks import guide, start_here
from caselab.scenarios import casebook
from caselab.scenarios.coverage import SEED_PARTS


@pytest.fixture(scope="module")
def scenarios():
    return casebook.load_all(check_solver=False)


def test_time_estimates_follow_the_stated_rule():
    # pinterest-f1-cost, hard: 12 number + 1 decision → (5 + 24 + 1) × 1.5 = 45
    assert start_here.estimate_minutes(casebook.load("pinterest-f1-cost", check_solver=False)) == 45
    # tiktok-threshold-capacity, easy: 9 number (1 by slider) + 3 choice/decision + 1 open → 5+18+1+3+5 = 32 → 35
    tiktok = casebook.load("tiktok-threshold-capacity", check_solver=False)
    assert sum(q.widget != "" for q in tiktok.questions) == 1
    assert start_here.estimate_minutes(tiktok) == 35
    # medium: forum-duplicate-leakage, 4 number + 2 choice + 1 open → (5+8+2+5) × 1.25 = 25
    assert start_here.estimate_minutes(casebook.load("forum-duplicate-leakage", check_solver=False)) == 25
    assert "1.5 for hard" in start_here.TIME_RULE and "rounded up to 5" in start_here.TIME_RULE


def test_both_paths_list_every_case(scenarios):
    levels = start_here.by_level(scenarios)
    assert [level for level, _ in levels] == ["easy", "medium", "hard"]
    listed = [s.id for _, cases in levels for s in cases]
    assert sorted(listed) == sorted(s.id for s in scenarios)
    for _, cases in levels:
        times = [start_here.estimate_minutes(s) for s in cases]
        assert times == sorted(times), "shortest first within a level"
    seeds = start_here.by_seed(scenarios)
    parts = {part: [s.id for s in cases] for _, _, ps in seeds for part, _, cases in ps}
    assert set(parts) == set(SEED_PARTS)
    for s in scenarios:
        for part in s.seed_parts:
            assert s.id in parts[part]


def test_the_notebook_links_every_case_with_a_line_and_a_time(scenarios):
    nb = start_here.build_notebook(scenarios)
    nbformat.validate(nb)
    text = "\n".join(c.source for c in nb.cells)
    for s in scenarios:
        link = f"(cases/{s.id}.ipynb) — {start_here.one_line(s)}"
        assert link in text.replace("\\$", "$"), s.id
    assert nb.metadata["caselab"]["kind"] == "start-here"
    assert not re.search(r"(?<!\\)\$", text.replace("`$", "")), "money is not LaTeX"


def test_the_guide_writes_a_start_here_page_linked_from_every_page(scenarios, tmp_path, monkeypatch):
    from caselab.notebooks import html as notebook_html

    monkeypatch.setattr(notebook_html, "copy_assets", lambda out: None)
    # no kernels here: every case "executes" to its own notebook, and its page is a stub
    monkeypatch.setattr(notebook_html, "execute_notebooks",
                        lambda notebooks, jobs=2: list(enumerate(notebooks)))
    monkeypatch.setattr(guide, "_case_html", lambda s, nb, assets: guide._page(s.title, "<p>worked</p>"))
    # an unsafe title is escaped, not interpreted
    few = [casebook.load(i, check_solver=False) for i in ("pinterest-f1-cost", "fraud-accuracy-paradox")]
    tricky = replace(scenarios[0], title="<script>alert(1)</script> & co")
    guide.build_guide(tmp_path, [tricky, *few], progress=lambda line: None)  # (the cheat sheet solves each)
    page = (tmp_path / "start-here.html").read_text()
    for s in few:
        assert f'href="cases/{s.id}.html">{html.escape(s.title)}</a>' in page
    assert "<script>alert" not in page and "&lt;script&gt;alert(1)&lt;/script&gt; &amp; co" in page
    assert 'href="start-here.html"' in (tmp_path / "index.html").read_text()
    assert 'href="start-here.html">start here' in (tmp_path / "cheatsheet.html").read_text()
