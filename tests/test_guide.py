"""The study-guide site: it builds from the casebook with no npm on the PATH, every page loads offline in
Chromium, and a rebuild executes only the cases whose inputs changed."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from caselab.notebooks import fingerprint, guide
from caselab.scenarios import casebook

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts" / "guide"
CASES = ["pinterest-f1-cost", "tiktok-threshold-capacity"]  # two full pages keep the test fast
SOLVERS = {"pinterest-f1-cost": "operating_points", "tiktok-threshold-capacity": "threshold_capacity"}


@pytest.fixture(scope="module")
def specs(tmp_path_factory):
    """Copies of the two specs (the incremental-build test edits one)."""
    folder = tmp_path_factory.mktemp("specs")
    for sid in CASES:
        shutil.copy(casebook.casebook_dir() / f"{sid}.toml", folder / f"{sid}.toml")
    return {sid: folder / f"{sid}.toml" for sid in CASES}


def build(out, specs, force=False) -> list[str]:
    lines: list[str] = []
    # Structure only, as `caselab guide` loads them: build_guide checks the cases it executes.
    guide.build_guide(out, [casebook.load(specs[sid], check_solver=False) for sid in CASES],
                      progress=lines.append, force=force)
    return lines


@pytest.fixture(scope="module")
def site(tmp_path_factory, specs, without_npm):
    out = tmp_path_factory.mktemp("site")
    home = tmp_path_factory.mktemp("learner-home")  # the progress journal's folder during the build
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("CASELAB_HOME", str(home))
        lines = build(out, specs)
    return out, lines, home


def executed(lines: list[str]) -> list[str]:
    """The case ids the progress lines report as executed (``[ i/n] id ok``)."""
    return sorted(line.split("]")[1].split()[0] for line in lines if line.lstrip().startswith("[") and " ok " in line)


def test_the_site_has_an_index_a_cheatsheet_and_a_page_per_case(site):
    out, lines, _ = site
    assert "0 up to date, 2 to execute" in lines[0]
    assert any("[ 2/2]" in line and " ok " in line for line in lines), "progress is shown"
    assert executed(lines) == sorted(CASES)
    index = (out / "index.html").read_text()
    for sid in CASES:
        assert f'href="cases/{sid}.html"' in index
        assert (out / "cases" / f"{sid}.html").stat().st_size > 10_000
    assert "By topic" in index and "By company" in index and "By difficulty" in index and "001-4" in index
    sheet = (out / "cheatsheet.html").read_text()
    assert "F1 = 2·P·R / (P + R)" in sheet and 'href="cases/pinterest-f1-cost.html"' in sheet
    # subscripts set as HTML (the pages load no MathJax)
    assert "τ* = C<sub>FP</sub> / (C<sub>FP</sub> + C<sub>FN</sub>)" in sheet
    assert 'href="cases/tiktok-threshold-capacity.html"' in sheet
    # and in the worked answers of the case pages
    assert "τ* = C<sub>FP</sub> / (C<sub>FP</sub> + C<sub>FN</sub>)" in (out / "cases" / f"{CASES[1]}.html").read_text()
    static = out / "static"
    assert (static / "embed-amd.js").stat().st_size > 1_000_000 and (static / "require.js").exists()
    assert {"LICENSE.jupyter-widgets.txt", "LICENSE.requirejs.txt", "LICENSE.fontawesome.txt"} <= {
        f.name for f in static.iterdir()}, "the licences travel with the files"


def test_building_the_guide_does_not_touch_the_learners_journal(site):
    # Every check cell of the worked solutions passes; none of that is the learner's progress.
    _, _, home = site
    assert not list(home.iterdir())


def test_formula_html_sets_sub_and_superscripts_and_escapes():
    assert guide.formula_html("n = (z_{1−α/2}·√(2·p̄(1 − p̄)))² / (p1 − p2)²") == (
        "n = (z<sub>1−α/2</sub>·√(2·p̄(1 − p̄)))² / (p1 − p2)²")
    assert guide.formula_html("coverage = 1 − (1 − m/N)^k") == "coverage = 1 − (1 − m/N)<sup>k</sup>"
    assert guide.formula_html("e^{s_j} / Σ_k e^{s_k}") == "e<sup>s<sub>j</sub></sup> / Σ<sub>k</sub> e<sup>s<sub>k</sub></sup>"
    assert guide.formula_html("d = s · (1 − q^(k−1))") == "d = s · (1 − q<sup>(k−1)</sup>)"
    # a name with an underscore is a name, and text is escaped
    assert guide.formula_html("AP of −score_samples <b>") == "AP of −score_samples &lt;b&gt;"


def test_formula_index_links_every_formula_to_its_cases():
    index = guide.formula_index(casebook.load_all())
    uses = index["expected cost = C_FP · FP + C_FN · FN"]
    assert {(s.id, q) for s, q in uses} >= {("pinterest-f1-cost", "cost_baseline"), ("pinterest-f1-cost", "cost_new")}


def test_every_page_loads_offline_and_a_widget_renders(site, chromium):
    out, _, _ = site
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


def test_a_rebuild_executes_only_what_changed(site, specs, tmp_path, monkeypatch):
    out, _, _ = site
    pages = {sid: out / "cases" / f"{sid}.html" for sid in CASES}
    stamp = {sid: p.stat().st_mtime_ns for sid, p in pages.items()}

    # 1. nothing changed: nothing is executed, no page is rewritten
    lines = build(out, specs)
    assert "2 up to date, 0 to execute" in lines[0] and executed(lines) == []
    assert {sid: p.stat().st_mtime_ns for sid, p in pages.items()} == stamp

    # 2. one spec's bytes changed (a comment: same case, new fingerprint): that case only
    edited = CASES[1]
    specs[edited].write_text(specs[edited].read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    lines = build(out, specs)
    assert "1 up to date, 1 to execute" in lines[0] and executed(lines) == [edited]
    assert pages[CASES[0]].stat().st_mtime_ns == stamp[CASES[0]] and pages[edited].stat().st_mtime_ns != stamp[edited]

    # 3. a page altered on disk is rebuilt (the manifest holds its hash)
    pages[CASES[0]].write_text("<html>truncated", encoding="utf-8")
    lines = build(out, specs)
    assert executed(lines) == [CASES[0]] and pages[CASES[0]].stat().st_size > 10_000

    # 4. a change to one case's solver re-executes that case only. The code is fingerprinted from a copy
    #    of the package here (the kernel still runs the real one), so the test edits no file of the repo.
    package = _package_copy(tmp_path, monkeypatch)
    lines = build(out, specs)
    assert executed(lines) == [], "the copy is byte-identical: same keys"
    solver_file = package / "scenarios" / "solvers" / f"{SOLVERS[CASES[0]]}.py"
    solver_file.write_text(solver_file.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    lines = build(out, specs)
    assert "1 up to date, 1 to execute" in lines[0] and executed(lines) == [CASES[0]]
    # (--force, which executes everything, is tested through the command line in test_cli.py)


def _package_copy(tmp_path, monkeypatch) -> Path:
    """A copy of the caselab package whose files the fingerprints are computed from."""
    real = Path(guide.__file__).resolve().parents[1]  # caselab/ (guide is in caselab/notebooks/)
    package = tmp_path / "caselab"
    shutil.copytree(real, package, ignore=shutil.ignore_patterns("__pycache__", "static"))
    solvers_rel = Path(fingerprint._solvers_dir()).relative_to(real)
    monkeypatch.setattr(fingerprint, "_package_dir", lambda: package)
    monkeypatch.setattr(fingerprint, "_solvers_dir", lambda: package / solvers_rel)
    return package


def test_fingerprints_follow_the_spec_its_solver_and_shared_code(tmp_path, monkeypatch):
    package = _package_copy(tmp_path, monkeypatch)
    specs = [casebook.casebook_dir() / f"{sid}.toml" for sid in CASES]
    keys = lambda: fingerprint.scenario_keys(specs, "guide-page")  # noqa: E731
    before = keys()
    assert len(set(before)) == 2 and fingerprint.scenario_keys(specs, "render", kernel=False) != before

    def edit(rel: str) -> list[bool]:
        path = package / rel
        path.write_text(path.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
        nonlocal before
        now = keys()
        changed, before = [a != b for a, b in zip(before, now, strict=True)], now
        return changed

    from caselab.maths import metrics

    real = Path(guide.__file__).resolve().parents[1]  # caselab/
    solvers = Path(fingerprint._solvers_dir()).relative_to(package).as_posix()
    assert edit(f"{solvers}/{SOLVERS[CASES[1]]}.py") == [False, True]  # its own solver: that case only
    others = sorted(set(p.stem for p in (package / solvers).glob("[a-z]*.py")) - set(SOLVERS.values()))
    assert edit(f"{solvers}/{others[0]}.py") == [False, False]  # another scenario family's solver: neither
    assert edit(f"{solvers}/__init__.py") == [True, True]  # shared solver code: both
    assert edit(Path(metrics.__file__).resolve().relative_to(real).as_posix()) == [True, True]  # the library
    assert edit(Path(guide.__file__).resolve().relative_to(real).as_posix()) == [True, True]  # the page builder
