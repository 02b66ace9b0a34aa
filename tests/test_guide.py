"""The study-guide site: it builds from the casebook, and every page loads offline in Chromium."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from caselab.notebooks import guide
from caselab.scenarios import casebook

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts" / "guide"
CASES = ["pinterest-f1-cost", "tiktok-threshold-capacity"]  # two full pages keep the test fast


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    from caselab.notebooks import html

    try:
        html.widget_assets()
    except html.AssetsUnavailable as e:
        pytest.skip(f"the widget manager's JavaScript cannot be fetched here: {e}")
    out = tmp_path_factory.mktemp("site")
    lines: list[str] = []
    guide.build_guide(out, [casebook.load(i) for i in CASES], progress=lines.append)
    return out, lines


def test_the_site_has_an_index_a_cheatsheet_and_a_page_per_case(site):
    out, lines = site
    assert any("[ 2/2]" in line and " ok " in line for line in lines), "progress is shown"
    index = (out / "index.html").read_text()
    for sid in CASES:
        assert f'href="cases/{sid}.html"' in index
        assert (out / "cases" / f"{sid}.html").stat().st_size > 10_000
    assert "By topic" in index and "By company" in index and "By difficulty" in index and "001-4" in index
    sheet = (out / "cheatsheet.html").read_text()
    assert "F1 = 2·P·R / (P + R)" in sheet and 'href="cases/pinterest-f1-cost.html"' in sheet
    assert "τ* = C_FP / (C_FP + C_FN)" in sheet and 'href="cases/tiktok-threshold-capacity.html"' in sheet


def test_formula_index_links_every_formula_to_its_cases():
    index = guide.formula_index(casebook.load_all())
    uses = index["expected cost = C_FP · FP + C_FN · FN"]
    assert {(s.id, q) for s, q in uses} >= {("pinterest-f1-cost", "cost_baseline"), ("pinterest-f1-cost", "cost_new")}


def test_every_page_loads_offline_and_a_widget_renders(site, chromium):
    out, _ = site
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    pages = [out / "index.html", out / "cheatsheet.html"] + [out / "cases" / f"{sid}.html" for sid in CASES]
    failed, remote, errors = [], [], []
    browser = chromium()
    page = browser.new_page()
    page.on("requestfailed", lambda r: failed.append(f"{r.url} ({r.failure})"))
    page.on("request", lambda r: remote.append(r.url) if not r.url.startswith(("file://", "data:",
                                                                              "blob:")) else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    for p in pages:
        response = page.goto(p.as_uri())
        assert response is None or response.ok, p
        if p.parent.name == "cases":
            page.locator(".noUi-handle").first.wait_for(timeout=60_000)  # a slider rendered
            assert page.locator(".widget-readout").count() >= 1
            if "tiktok" in p.name:
                page.locator(".caselab-explorer-threshold").first.scroll_into_view_if_needed()
                page.screenshot(path=str(ARTIFACTS / "guide-case.png"))
    page.goto(pages[0].as_uri())
    page.click(f'a[href="cases/{CASES[0]}.html"]')
    page.wait_for_load_state()
    assert page.url.endswith(f"cases/{CASES[0]}.html"), "index links work"
    (ARTIFACTS / "requests.json").write_text(json.dumps({"failed": failed, "remote": remote, "errors": errors}))
    assert not failed, f"failed requests: {failed}"
    assert not remote, f"requests that left the disk: {remote}"
    assert not errors, f"JavaScript errors: {errors}"


def test_the_index_puts_the_capstones_first_with_their_length_and_mock_command():
    index = guide._index(casebook.load_all(check_solver=False))
    section = index[index.index('id="capstones"'):index.index('id="all"')]
    for sid, parts in (("tiktok-capstone", 5), ("pinterest-capstone", 7)):
        assert f'href="cases/{sid}.html"' in section and f"caselab mock --scenario {sid}" in section
        assert f"{parts} parts" in section
    assert "about 18 min" in section  # the TikTok interview's targets add up to 18 minutes
