"""Finding scenarios: the bundled casebook, or a spec file anywhere on disk.

The casebook directory is, in order: ``$CASELAB_CASEBOOK`` if set; the ``casebook/`` folder of a
source checkout (``src/caselab/../../casebook``); the copy installed inside the package.
"""

from __future__ import annotations

import difflib
import os
from functools import lru_cache
from pathlib import Path

from caselab.spec import Scenario, load_spec

__all__ = ["UnknownScenario", "casebook_dir", "scenario_ids", "load", "load_all", "solve"]


class UnknownScenario(LookupError):
    """No scenario by that id (the message suggests close matches)."""


def casebook_dir() -> Path:
    env = os.environ.get("CASELAB_CASEBOOK")
    if env:
        return Path(env)
    here = Path(__file__).resolve().parent
    for candidate in (here.parent.parent / "casebook", here / "casebook"):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError("caselab cannot find its casebook/ folder; set CASELAB_CASEBOOK to its path.")


def project_dir() -> Path | None:
    """The source checkout holding casebook/, notebooks/ and solutions/ (None for an installed wheel)."""
    root = casebook_dir().parent
    return root if (root / "pyproject.toml").exists() else None


def scenario_ids() -> list[str]:
    return sorted(p.stem for p in casebook_dir().glob("*.toml"))


def _is_path(ref: str | Path) -> bool:
    return isinstance(ref, Path) or str(ref).endswith(".toml") or os.sep in str(ref)


@lru_cache(maxsize=256)
def _load_cached(path: str, mtime: float) -> Scenario:
    return load_spec(path)


def load(ref: str | Path) -> Scenario:
    """A scenario by id (``"pinterest-f1-cost"``) or by the path of its spec file."""
    if _is_path(ref):
        path = Path(ref)
        if not path.exists():
            raise UnknownScenario(f"no spec file at {path}.")
    else:
        path = casebook_dir() / f"{ref}.toml"
        if not path.exists():
            ids = scenario_ids()
            close = difflib.get_close_matches(str(ref), ids, n=3, cutoff=0.4)
            close += [i for i in ids if str(ref) in i and i not in close][:3]
            hint = f" Did you mean: {', '.join(close)}?" if close else ""
            raise UnknownScenario(f"there is no scenario {ref!r}.{hint} (`caselab list` shows all {len(ids)}.)")
    path = path.resolve()
    return _load_cached(str(path), path.stat().st_mtime)


def load_all() -> list[Scenario]:
    return [load(i) for i in scenario_ids()]


@lru_cache(maxsize=256)
def _solve_cached(path: str, mtime: float, givens_key: str):
    from caselab import solvers

    scenario = _load_cached(path, mtime)
    return solvers.get(scenario.solver).solve(scenario.givens)


def solve(scenario: Scenario, givens: dict | None = None):
    """The :class:`~caselab.solvers.Solution` of a scenario (optionally with other givens, e.g. a variant)."""
    from caselab import solvers

    if givens is not None and givens != scenario.givens:
        return solvers.get(scenario.solver).solve(givens)
    if scenario.path is None:
        return solvers.get(scenario.solver).solve(scenario.givens)
    path = scenario.path.resolve()
    return _solve_cached(str(path), path.stat().st_mtime, scenario.id)
