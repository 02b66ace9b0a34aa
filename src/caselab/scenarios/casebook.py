"""Finding scenarios: the bundled casebook, or a spec file anywhere on disk.

The casebook directory is, in order: ``$CASELAB_CASEBOOK`` if set; the ``casebook/`` folder of a
source checkout (``src/caselab/scenarios/../../../casebook``); the copy installed inside the package.
"""

from __future__ import annotations

import difflib
import os
from functools import lru_cache
from pathlib import Path

from caselab.scenarios.spec import Scenario, load_spec

__all__ = ["UnknownScenario", "casebook_dir", "scenario_ids", "load", "load_all", "solve", "clear_caches"]


class UnknownScenario(LookupError):
    """No scenario by that id (the message suggests close matches)."""


def casebook_dir() -> Path:
    env = os.environ.get("CASELAB_CASEBOOK")
    if env:
        return Path(env)
    here = Path(__file__).resolve().parent
    for candidate in (here.parents[2] / "casebook", here.parent / "casebook"):
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
    """A spec file is named by a path ending in ``.toml``; anything else must be a scenario id."""
    return isinstance(ref, Path) or str(ref).endswith(".toml")


@lru_cache(maxsize=256)
def _structure(path: str, mtime: float) -> Scenario:
    return load_spec(path, check_solver=False)


@lru_cache(maxsize=256)
def _solution(path: str, mtime: float):
    from caselab.scenarios import solvers

    scenario = _structure(path, mtime)
    return solvers.get(scenario.solver).solve(scenario.givens)


@lru_cache(maxsize=256)
def _checked(path: str, mtime: float) -> Scenario:
    from caselab.scenarios.spec import SpecError, solver_problems

    scenario = _structure(path, mtime)
    problems = solver_problems(scenario.solver, scenario.givens, scenario.questions, scenario.explorers,
                               solve=lambda givens: _solution(path, mtime))
    if problems:
        raise SpecError(path, problems)
    return scenario


def load(ref: str | Path, *, check_solver: bool = True) -> Scenario:
    """A scenario by id (``"pinterest-f1-cost"``) or by the path of its spec file.

    With ``check_solver`` (the default) the spec is also checked against its solver, which runs it once
    (cached); ``check_solver=False`` checks the spec's structure only — fast, for listings.
    """
    if _is_path(ref):
        path = Path(ref)
        if not path.exists():
            raise UnknownScenario(f"no spec file at {path}.")
    else:
        from caselab.scenarios.spec import ID_PATTERN, MAX_ID_LENGTH

        if not isinstance(ref, str) or not ID_PATTERN.match(ref) or len(ref) > MAX_ID_LENGTH:
            raise UnknownScenario(f"{str(ref)[:80]!r} is not a scenario id: ids are lowercase ASCII letters, digits "
                                  "and single hyphens (e.g. 'pinterest-f1-cost'); to open a spec file, give a path "
                                  "ending in .toml.")
        path = casebook_dir() / f"{ref}.toml"
        if not path.exists():
            ids = scenario_ids()
            close = difflib.get_close_matches(str(ref), ids, n=3, cutoff=0.4)
            close += [i for i in ids if str(ref) in i and i not in close][:3]
            hint = f" Did you mean: {', '.join(close)}?" if close else ""
            raise UnknownScenario(f"there is no scenario {ref!r}.{hint} (`caselab list` shows all {len(ids)}.)")
    path = path.resolve()
    key = (str(path), path.stat().st_mtime)
    return _checked(*key) if check_solver else _structure(*key)


def load_all(*, check_solver: bool = True) -> list[Scenario]:
    return [load(i, check_solver=check_solver) for i in scenario_ids()]


def solve(scenario: Scenario, givens: dict | None = None):
    """The :class:`~caselab.solvers.Solution` of a scenario (optionally with other givens, e.g. a variant)."""
    from caselab.scenarios import solvers

    if (givens is not None and givens != scenario.givens) or scenario.path is None:
        return solvers.get(scenario.solver).solve(scenario.givens if givens is None else givens)
    path = scenario.path.resolve()
    return _solution(str(path), path.stat().st_mtime)


def clear_caches() -> None:
    """Forget loaded specs and solutions (after editing a spec in the same process, for instance)."""
    for f in (_structure, _solution, _checked):
        f.cache_clear()
