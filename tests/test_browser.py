"""A learner in a real browser: JupyterLab + Debian's chromium, driven by Playwright.

Starts JupyterLab on 127.0.0.1 with a token, in a temporary directory with its own JUPYTER_* dirs;
opens the learner notebook of tiktok-threshold-capacity; runs all cells; clicks the threshold
slider and presses → a few times; checks that the readouts show the library's values at the new
threshold. Screenshots before and after go to test-artifacts/browser/.

Skipped, saying why, only where there is no chromium (CI installs it: see .ci/run).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = Path("/usr/bin/chromium")  # checked here too: no JupyterLab is started where no browser exists
ARTIFACTS = ROOT / "test-artifacts" / "browser"
SCENARIO = "tiktok-threshold-capacity"

pytestmark = [
    pytest.mark.skipif(not CHROMIUM.exists(), reason="no chromium at /usr/bin/chromium (install it with "
                                                     "`apt-get install -y chromium`; .ci/run does)"),
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """A JupyterLab server of its own: (base url, token, root dir)."""
    pytest.importorskip("playwright.sync_api", reason="playwright (the Python package) is not installed")
    tmp = tmp_path_factory.mktemp("lab")
    root = tmp / "root"
    root.mkdir()
    shutil.copy(ROOT / "notebooks" / f"{SCENARIO}.ipynb", root / f"{SCENARIO}.ipynb")
    env = {**os.environ}
    for var, sub in (("JUPYTER_CONFIG_DIR", "config"), ("JUPYTER_DATA_DIR", "data"), ("JUPYTER_RUNTIME_DIR", "runtime"),
                     ("IPYTHONDIR", "ipython"), ("MPLCONFIGDIR", "mpl")):
        env[var] = str(tmp / sub)
        (tmp / sub).mkdir()
    env.pop("JUPYTER_PATH", None)
    # Render every cell (no windowing, so the explorer stays in the DOM), and no news or update checks.
    settings = tmp / "config" / "lab" / "user-settings" / "@jupyterlab"
    (settings / "notebook-extension").mkdir(parents=True)
    (settings / "notebook-extension" / "tracker.jupyterlab-settings").write_text(json.dumps({"windowingMode": "none"}))
    (settings / "apputils-extension").mkdir(parents=True)
    (settings / "apputils-extension" / "notification.jupyterlab-settings").write_text(
        json.dumps({"fetchNews": "false", "checkForUpdates": False}))
    port, token = _free_port(), os.urandom(12).hex()
    log = open(tmp / "lab.log", "wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "jupyter", "lab", "--allow-root", "--no-browser", "--ip", "127.0.0.1", "--port", str(port),
         f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}", "--LabApp.news_url=None",
         "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"],
        env=env, stdout=log, stderr=subprocess.STDOUT, cwd=root)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 60
        while True:
            try:
                urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2).read()
                break
            except OSError:
                if proc.poll() is not None or time.time() > deadline:
                    log.flush()
                    pytest.fail("JupyterLab did not start:\n" + (tmp / "lab.log").read_text()[-3000:])
                time.sleep(0.3)
        yield base, token, root
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


def _readouts(page, scope: str) -> dict[str, str]:
    el = page.locator(f"{scope} .cl-readouts").first
    values = {"threshold": el.get_attribute("data-threshold")}
    for cls in ("tp", "fp", "fn", "tn", "precision", "recall", "f1", "fpr", "cost", "flagged"):
        values[cls] = el.locator(f".cl-{cls}").first.inner_text().strip()
    return values


def test_learner_moves_threshold_slider_in_jupyterlab(lab, chromium):

    import caselab
    from caselab.maths import metrics
    from caselab.scenarios import casebook
    from caselab.scenarios.data import sentiment_scores

    base, token, root = lab
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    g = casebook.load(SCENARIO).givens
    y_val, p_val = sentiment_scores(n=g["n_validation"], prevalence=g["prevalence"], separation=g["separation"],
                                    seed=g["seed"])
    scope = ".caselab-explorer-threshold"
    t0 = time.time()
    browser = chromium()
    page = browser.new_page()
    page.goto(f"{base}/lab/tree/{SCENARIO}.ipynb?token={token}")
    page.get_by_text("| Idle").first.wait_for(timeout=60_000)
    page.locator(".jp-Notebook").first.click()  # focus the notebook
    page.get_by_role("menuitem", name="Run", exact=True).click()
    page.get_by_role("menuitem", name=re.compile(r"^Run All Cells")).first.click()
    page.locator(f"{scope} .cl-readouts").first.wait_for(timeout=90_000)
    # every explorer cell has rendered and the kernel is idle again: every cell ran
    n_explorers = sum(c["metadata"].get("caselab", {}).get("role") == "explorer"
                      for c in json.loads((root / f"{SCENARIO}.ipynb").read_text())["cells"])
    page.wait_for_function("n => document.querySelectorAll('.caselab-explorer .cl-readouts').length >= n",
                           arg=n_explorers, timeout=90_000)
    page.get_by_text("| Idle").first.wait_for(timeout=60_000)
    explorer = page.locator(scope).first
    explorer.scroll_into_view_if_needed()
    before = _readouts(page, scope)
    explorer.screenshot(path=str(ARTIFACTS / "jupyterlab-before.png"))

    handle = explorer.locator(".noUi-handle").first
    handle.click()
    steps = 5
    t_keys = time.time()
    for _ in range(steps):
        page.keyboard.press("ArrowRight")
    start = float(before["threshold"])
    expected_t = round(start + steps * 0.005, 6)
    page.wait_for_function(
        "([sel, t]) => { const e = document.querySelector(sel); "
        "return e && Math.abs(parseFloat(e.dataset.threshold) - t) < 1e-9; }",
        arg=[f"{scope} .cl-readouts", expected_t], timeout=20_000)
    latency = time.time() - t_keys
    after = _readouts(page, scope)
    explorer.screenshot(path=str(ARTIFACTS / "jupyterlab-after.png"))
    slider_text = explorer.locator(".widget-readout").first.inner_text().strip()

    t = float(after["threshold"])
    assert t == pytest.approx(expected_t) and float(slider_text) == pytest.approx(t)
    # assistive technology hears the threshold, not the slider's index
    page.wait_for_function("([sel, t]) => Math.abs(parseFloat(document.querySelector(sel).getAttribute('aria-valuenow'))"
                           " - t) < 1e-9", arg=[f"{scope} .noUi-handle", t], timeout=10_000)
    assert float(handle.get_attribute("aria-valuenow")) == pytest.approx(t)
    assert (handle.get_attribute("aria-valuemin"), handle.get_attribute("aria-valuemax")) == ("0", "1")
    # no spoiler on screen: the marked thresholds that answer questions wait for their answers
    from caselab.maths import curves

    tau = curves.bayes_threshold(cost_fp=g["cost_fp"], cost_fn=g["cost_fn"])
    shown = explorer.inner_text()
    assert "answer bayes_threshold first" in shown and f"{tau:.4f}" not in shown and f"{tau:.3f}" not in shown
    cm = metrics.confusion_at_threshold(y_val, p_val, t)
    shown = {k: float(v.replace(",", "")) for k, v in after.items() if k != "threshold"}
    assert shown["tp"] == cm.tp and shown["fp"] == cm.fp and shown["fn"] == cm.fn and shown["tn"] == cm.tn
    assert after["precision"] == f"{cm.precision:.4f}"
    assert after["recall"] == f"{cm.recall:.4f}"
    assert after["f1"] == f"{cm.f1:.4f}"
    assert after["fpr"] == f"{cm.fpr:.4f}"
    assert shown["cost"] == pytest.approx(cm.expected_cost(cost_fp=g["cost_fp"], cost_fn=g["cost_fn"]), abs=0.005)
    assert shown["flagged"] == cm.flagged
    assert after != before  # the numbers moved
    (ARTIFACTS / "jupyterlab.json").write_text(json.dumps(
        {"before": before, "after": after, "keys_to_readouts_s": round(latency, 3),
         "total_s": round(time.time() - t0, 1), "caselab": caselab.__version__}, indent=1))
