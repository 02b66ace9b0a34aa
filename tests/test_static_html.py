"""Offline HTML: an executed solution notebook, exported with its widget state, works with no network.

The widget manager (``@jupyter-widgets/html-manager``) and require.js ship inside the package
(``caselab/static/``, with their licences; caselab.html.widget_assets), and the page loads them from
``static/`` beside it. The page is built with npm and Node.js off the PATH. A headless chromium opens
it from disk: the threshold slider renders, moving it with the keyboard moves the readouts to the
library's values (the explorer's precomputed frames), and no request fails or leaves file:// (or
127.0.0.1). Screenshots go to test-artifacts/static-html/.
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts" / "static-html"
SCENARIO = "tiktok-threshold-capacity"


@pytest.fixture(scope="module")
def assets():
    from caselab.notebooks import html

    return html.widget_assets()


def test_the_widget_manager_ships_in_the_package_with_its_licences(assets):
    import caselab
    from caselab.notebooks import html

    assert assets == Path(caselab.__file__).resolve().parent / "static"
    names = {f.name for f in assets.iterdir()}
    assert {"embed-amd.js", "require.js", "README.md", "embed-amd.js.LICENSE.txt", "LICENSE.jupyter-widgets.txt",
            "LICENSE.requirejs.txt", "LICENSE.fontawesome.txt"} <= names
    assert (assets / "embed-amd.js").stat().st_size > 1_000_000
    # only woff2 fonts, and only ones the widget manager's CSS names
    fonts = sorted(n for n in names if n.endswith((".woff2", ".woff", ".ttf", ".eot", ".svg")))
    bundle = (assets / "embed-amd.js").read_text(encoding="utf-8")
    assert fonts and all(f.endswith(".woff2") and f in bundle for f in fonts), fonts
    # every shipped file is accounted for, and the README names the versions the code pins
    readme = (assets / "README.md").read_text(encoding="utf-8")
    for name in names - {"README.md"}:
        assert name in readme, f"{name} is not described in caselab/static/README.md"
    for package, version in html.ASSET_SOURCES.items():
        assert f"{package}@{version}" in readme
    assert "RequireJS 2.3.8" in (assets / "require.js").read_text(encoding="utf-8")[:400]
    assert "Font Awesome Free 5.15.4" in bundle and "BSD" not in (assets / "LICENSE.requirejs.txt").read_text()


def test_the_wheel_would_carry_the_static_files():
    # hatch's wheel takes src/caselab whole, minus what git ignores: nothing in static/ may be ignored.
    import shutil
    import subprocess
    import tomllib

    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["hatch"]["build"]["targets"]["wheel"]
    assert "src/caselab" in config["packages"]
    files = [str(p.relative_to(ROOT)) for p in (ROOT / "src" / "caselab" / "static").iterdir()]
    ignored = subprocess.run(["git", "check-ignore", *files], cwd=ROOT, capture_output=True, text=True)
    assert ignored.returncode == 1 and not ignored.stdout, f"git ignores {ignored.stdout}"


@pytest.fixture(scope="module")
def site(tmp_path_factory, assets, without_npm):
    from caselab.notebooks import html

    out = tmp_path_factory.mktemp("site")
    nb = html.execute_notebook(ROOT / "solutions" / f"{SCENARIO}.ipynb", timeout=240)
    page = html.export_html(nb, out, assets=assets)
    return page, nb


def test_export_embeds_widget_state_and_loads_nothing_remote(site):
    page, nb = site
    from caselab.notebooks.widgets import WIDGET_STATE_MIME

    state = nb.metadata["widgets"][WIDGET_STATE_MIME]["state"]
    assert any("caselab-control-threshold" in m["state"].get("_dom_classes", []) for m in state.values())
    text = page.read_text(encoding="utf-8")
    assert 'type="application/vnd.jupyter.widget-state+json"' in text
    srcs = re.findall(r'<script[^>]*\bsrc="([^"]*)"', text) + re.findall(r"widgetRendererSrc = '([^']*)'", text)
    assert "static/require.js" in srcs and "static/embed-amd.js" in srcs
    assert not [s for s in srcs if "://" in s], srcs
    assert (page.parent / "static" / "embed-amd.js").stat().st_size > 1_000_000
    assert (page.parent / "static" / "require.js").exists()


def test_slider_renders_and_moves_in_the_static_page(site, chromium):
    from caselab.maths import metrics
    from caselab.scenarios import casebook
    from caselab.scenarios.data import sentiment_scores

    page_path, _ = site
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    g = casebook.load(SCENARIO).givens
    y_val, p_val = sentiment_scores(n=g["n_validation"], prevalence=g["prevalence"], separation=g["separation"],
                                    seed=g["seed"])
    scope = ".caselab-explorer-threshold"
    requests: list[str] = []
    browser = chromium()
    page = browser.new_page()
    failed: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    page.on("requestfailed", lambda r: failed.append(f"{r.url} ({r.failure})"))
    page.goto(page_path.as_uri())
    handle = page.locator(f"{scope} .noUi-handle").first
    handle.wait_for(timeout=60_000)  # the slider rendered
    explorer = page.locator(scope).first
    explorer.scroll_into_view_if_needed()
    readouts = _visible_readouts(page, scope)
    before = readouts.get_attribute("data-threshold")
    explorer.screenshot(path=str(ARTIFACTS / "static-before.png"))
    handle.click()
    steps = 4
    for _ in range(steps):
        page.keyboard.press("ArrowRight")
    expected_t = round(float(before) + steps * 0.005, 6)
    deadline = time.time() + 15
    while time.time() < deadline:
        readouts = _visible_readouts(page, scope)
        if abs(float(readouts.get_attribute("data-threshold")) - expected_t) < 1e-9:
            break
        time.sleep(0.1)
    after = {"threshold": readouts.get_attribute("data-threshold")}
    for cls in ("tp", "fp", "fn", "tn", "precision", "recall", "f1", "fpr", "cost"):
        after[cls] = readouts.locator(f".cl-{cls}").first.inner_text().strip()
    explorer.screenshot(path=str(ARTIFACTS / "static-after.png"))
    slider_text = explorer.locator(".widget-readout").first.inner_text().strip()

    t = float(after["threshold"])
    assert t == pytest.approx(expected_t) and float(slider_text) == pytest.approx(t), (before, after, slider_text)
    cm = metrics.confusion_at_threshold(y_val, p_val, t)
    assert [float(after[k].replace(",", "")) for k in ("tp", "fp", "fn", "tn")] == [cm.tp, cm.fp, cm.fn, cm.tn]
    assert (after["precision"], after["recall"], after["f1"], after["fpr"]) == (
        f"{cm.precision:.4f}", f"{cm.recall:.4f}", f"{cm.f1:.4f}", f"{cm.fpr:.4f}")
    # a worked solution: its checks passed, so every mark is shown (in every frame), none waits for an answer
    from caselab.maths import curves

    tau = curves.bayes_threshold(cost_fp=g["cost_fp"], cost_fn=g["cost_fn"])
    assert f"{tau:.4f}" in readouts.inner_text() and explorer.locator(".cl-hidden").count() == 0
    # and the slider's accessible value is the threshold
    page.wait_for_function("([sel, t]) => Math.abs(parseFloat(document.querySelector(sel).getAttribute('aria-valuenow'))"
                           " - t) < 1e-9", arg=[f"{scope} .noUi-handle", t], timeout=10_000)
    remote = [u for u in requests if not u.startswith(("file://", "data:", "blob:", "http://127.0.0.1"))]
    assert not remote, f"the static page requested {remote}"
    assert not failed, f"requests that failed (a file missing from static/?): {failed}"
    (ARTIFACTS / "static.json").write_text(json.dumps({"before": before, "after": after,
                                                       "requests": sorted(set(requests))}, indent=1))


def _visible_readouts(page, scope):
    """The readouts of the frame on show (the other frames of the stack are hidden)."""
    loc = page.locator(f"{scope} .cl-readouts")
    for i in range(loc.count()):
        el = loc.nth(i)
        if el.is_visible():
            return el
    raise AssertionError("no visible readouts in the threshold explorer")
