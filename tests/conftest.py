"""Shared test setup: the progress journal of a test run lives in a temporary folder."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest


@pytest.fixture(autouse=True, scope="session")
def _private_caselab_home(tmp_path_factory):
    # Checks made by the tests (and by notebook kernels they start) must not touch the user's journal,
    # nor `caselab render`'s records in the user's cache folder.
    home = tmp_path_factory.mktemp("caselab-home")
    mp = pytest.MonkeyPatch()
    mp.setenv("CASELAB_HOME", str(home))
    mp.setenv("CASELAB_CACHE", str(tmp_path_factory.mktemp("caselab-cache")))
    yield home
    mp.undo()


CHROMIUM = Path("/usr/bin/chromium")
# Debian's chromium, headless, as root, on a machine with no network but loopback (see the README of the tests).
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture
def chromium(tmp_path):
    """``chromium()`` opens a headless Chromium (a fresh profile) driven by Playwright and returns its context.

    Skips, saying why, where there is no /usr/bin/chromium or no playwright package. Closed after the test.
    """
    if not CHROMIUM.exists():
        pytest.skip("no chromium at /usr/bin/chromium (install it with `apt-get install -y chromium`; .ci/run does)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright (the Python package) is not installed")
    contexts = []
    with sync_api.sync_playwright() as pw:

        def launch(profile: Path | None = None, viewport: dict | None = None):
            context = pw.chromium.launch_persistent_context(
                str(profile or tmp_path / f"chromium-profile-{len(contexts)}"), executable_path=str(CHROMIUM),
                headless=True, args=CHROMIUM_ARGS, viewport=viewport or {"width": 1280, "height": 1000})
            contexts.append(context)
            return context

        try:
            yield launch
        finally:
            for context in contexts:
                context.close()


NODE_TOOLS = ("npm", "npx", "node", "nodejs", "corepack")


@pytest.fixture(scope="module")
def without_npm(tmp_path_factory):
    """PATH holds every command of the real PATH except npm and Node.js, for the tests of one module.

    (Symlinks in a temporary folder, first match on PATH first.) Proves that what runs under it needs
    neither: the widget manager's files ship with the package.
    """
    bin_dir = tmp_path_factory.mktemp("bin-without-npm")
    for folder in os.environ.get("PATH", "").split(os.pathsep):
        if not folder or not os.path.isdir(folder):
            continue
        for entry in os.scandir(folder):
            target = bin_dir / entry.name
            if entry.name in NODE_TOOLS or target.exists() or target.is_symlink():
                continue
            if entry.is_file() and os.access(entry.path, os.X_OK):
                target.symlink_to(entry.path)
    mp = pytest.MonkeyPatch()
    mp.setenv("PATH", str(bin_dir))
    assert shutil.which("npm") is None and shutil.which("node") is None
    yield bin_dir
    mp.undo()
