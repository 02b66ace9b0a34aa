"""Shared test setup: the progress journal of a test run lives in a temporary folder."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True, scope="session")
def _private_caselab_home(tmp_path_factory):
    # Checks made by the tests (and by notebook kernels they start) must not touch the user's journal.
    home = tmp_path_factory.mktemp("caselab-home")
    mp = pytest.MonkeyPatch()
    mp.setenv("CASELAB_HOME", str(home))
    yield home
    mp.undo()
