"""Fingerprints of everything a generated file is made from, so that builds skip work whose inputs did not change.

A scenario's notebooks and its guide page are a function of: the spec file's bytes, the code of caselab
(the library the notebook calls, the renderer, the grader, the widgets, the page builder — every file of
the package except the *other* scenarios' solver modules), the versions of the third-party packages that
compute or render (numpy, scikit-learn, nbconvert, …), the Python version and the kernel that executes
the notebook. :func:`scenario_key` hashes all of them; ``caselab guide`` (a manifest in the site) and
``caselab render --check`` (a cache file) reuse earlier work only when the key is exactly the same.

Deliberately conservative: any edit to a shared module (a metric, the renderer, a docstring) changes
every key; an edit to one solver module changes the keys of the scenarios that use it (and of none
other); editing a spec changes its own key only. A stale result is never reused; the cost of a
needless rebuild is time.

>>> scenario_key(casebook.load("pinterest-f1-cost"), "guide-page")   # doctest: +SKIP
'6f1c…'   # 64 hex digits
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sys
import tempfile
from pathlib import Path

__all__ = ["cache_root", "code_files", "loaded_code", "code_unchanged", "package_digests", "scenario_key", "scenario_keys", "spec_solver", "read_cache", "write_cache", "SCHEMA"]

SCHEMA = 1  # bump when what a key covers changes
# Third-party packages whose versions change a computed answer or a rendered page.
DISTRIBUTIONS = ("numpy", "scipy", "matplotlib", "scikit-learn", "imbalanced-learn", "ipywidgets", "ipykernel",
                 "nbformat", "nbclient", "nbconvert", "jupyterlab_pygments", "mistune", "jinja2", "pygments",
                 "bleach", "beautifulsoup4", "widgetsnbextension")


def cache_root() -> Path:
    """caselab's cache folder: ``$CASELAB_CACHE``, else ``$XDG_CACHE_HOME/caselab``, else ``~/.cache/caselab``."""
    root = os.environ.get("CASELAB_CACHE")
    if root:
        return Path(root)
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "caselab"


def _package_dir() -> Path:
    # the caselab package: this module sits in caselab/notebooks/ (it does not import caselab itself, to
    # keep the layers: notebooks import nothing above them)
    return Path(__file__).resolve().parents[1]


def _solvers_dir() -> Path:
    from caselab.scenarios import solvers  # the package only(its __init__ imports no solver)

    return Path(solvers.__file__).resolve().parent


_DIGESTS: dict[tuple, str] = {}  # (path, size, mtime_ns) → sha256: a file is hashed again once it changes


def _file_digests(package: Path) -> list[tuple[str, str]]:
    out = []
    for path in sorted(package.rglob("*")):
        rel = path.relative_to(package)
        if not path.is_file() or "__pycache__" in rel.parts or path.suffix in (".pyc", ".pyo"):
            continue
        if rel.parts[0] in ("static", "casebook"):  # copied assets (not inputs to any text) and the specs themselves
            continue
        st = path.stat()
        stamp = (str(path), st.st_size, st.st_mtime_ns)
        if stamp not in _DIGESTS:
            _DIGESTS[stamp] = hashlib.sha256(path.read_bytes()).hexdigest()
        out.append((rel.as_posix(), _DIGESTS[stamp]))
    return out


def _solver_of(rel: str, solvers_rel: str) -> str | None:
    """The solver module a package file belongs to (None for any other file, and for shared solver code)."""
    if not rel.startswith(solvers_rel):
        return None
    first = rel[len(solvers_rel):].split("/")[0]
    name = first[:-3] if first.endswith(".py") else first
    return None if name.startswith("_") else name


def _solver_refs(solver: str, digests: list[tuple[str, str]], solvers_rel: str) -> set[str]:
    """``solver`` and every other solver module its source names (as a whole word: an import, or a mention)."""
    folder = _package_dir() / solvers_rel
    sources = [folder / f"{solver}.py"] + sorted((folder / solver).rglob("*.py") if (folder / solver).is_dir() else [])
    text = "\n".join(f.read_text(encoding="utf-8", errors="replace") for f in sources if f.is_file())
    names = {_solver_of(rel, solvers_rel) for rel, _ in digests} - {None}
    return {solver} | (names & set(re.findall(r"\w+", text)))


def code_files(solver: str | None, digests: list[tuple[str, str]] | None = None) -> list[tuple[str, str]]:
    """``[(path inside the package, sha256)]`` of the code a scenario using ``solver`` depends on.

    Every file of the package, except the solver modules of *other* solvers (``solvers/<name>.py`` or
    ``solvers/<name>/``) that ``solver``'s source does not name; shared solver code (``solvers/__init__.py``,
    ``solvers/_*.py``) is kept. ``solver=None`` keeps every solver module. Files are read afresh (a
    changed file is noticed within the same process).
    """
    digests = _file_digests(_package_dir()) if digests is None else digests
    solvers_rel = _solvers_dir().relative_to(_package_dir()).as_posix() + "/"
    if solver is None:
        return list(digests)
    keep = _solver_refs(solver, digests, solvers_rel)
    return [(rel, d) for rel, d in digests if _solver_of(rel, solvers_rel) in (None, *keep)]


def loaded_code(solver: str | None, digests: list[tuple[str, str]] | None = None) -> dict[str, str]:
    """``{path inside the package: sha256}`` of the code that can have run in this process for a scenario.

    :func:`code_files`, narrowed to the package's modules imported in this process so far (every file
    that is not a module is kept). Recorded right after building something, it covers every line that
    building ran; if none of these files changed, building again runs the same code — a module that
    was not imported could only run if one of these changed to import it. See :func:`code_unchanged`.
    """
    loaded_from = _package_dir()  # (the package itself; a copy only in the tests)
    imported = set()
    for name, module in list(sys.modules.items()):
        path = getattr(module, "__file__", None) if name == "caselab" or name.startswith("caselab.") else None
        if path:
            try:
                imported.add(Path(path).resolve().relative_to(loaded_from).as_posix())
            except ValueError:
                continue
    return {rel: d for rel, d in code_files(solver, digests) if not rel.endswith(".py") or rel in imported}


def package_digests() -> list[tuple[str, str]]:
    """``[(path inside the package, sha256)]`` of every file fingerprints cover, read now."""
    return _file_digests(_package_dir())


def code_unchanged(recorded: dict[str, str], digests: list[tuple[str, str]] | None = None) -> bool:
    """True if every file in ``recorded`` (from :func:`loaded_code`) still has the recorded sha256."""
    current = dict(_file_digests(_package_dir()) if digests is None else digests)
    return bool(recorded) and all(current.get(rel) == d for rel, d in recorded.items())


def _environment(kernel: bool) -> tuple:
    from importlib.metadata import PackageNotFoundError, version

    versions = []
    for dist in DISTRIBUTIONS:
        try:
            versions.append((dist, version(dist)))
        except PackageNotFoundError:
            versions.append((dist, None))
    spec: tuple = ()
    if kernel:  # the kernel that executes notebooks (this Python unless the kernelspec says otherwise)
        try:
            from jupyter_client.kernelspec import KernelSpecManager

            spec = tuple(KernelSpecManager().get_kernel_spec("python3").argv)
        except Exception as e:  # no kernelspec: recorded as such (nothing is reused across a change of it)
            spec = (type(e).__name__,)
    return (sys.version, sys.executable, tuple(versions), spec)


def spec_solver(data: bytes) -> str | None:
    """The ``solver`` named by a spec file's bytes (None if they are not TOML or name no solver)."""
    import tomllib

    try:
        solver = tomllib.loads(data.decode("utf-8")).get("solver")
    except (UnicodeDecodeError, tomllib.TOMLDecodeError):
        return None
    return solver if isinstance(solver, str) else None


def scenario_keys(specs, purpose: str, *, kernel: bool = True, code: bool = True) -> list[str]:
    """A sha256 per spec over everything that determines what ``purpose`` builds from it.

    ``specs`` are spec paths, or ``(path, solver)`` pairs (the solver defaults to the one the spec
    names; if it cannot be read, every solver module is included). ``purpose`` names the product
    (``"render"``, ``"guide-page"``), so that different products never share a key. ``kernel=False``
    leaves out the Jupyter kernel (for products made without executing); ``code=False`` leaves out
    caselab's code (the caller then records :func:`loaded_code` and checks :func:`code_unchanged`). The
    code and the environment are read once per call, afresh.
    """
    environment = _environment(kernel)
    digests = _file_digests(_package_dir())
    keys = []
    for item in specs:
        path, solver = (item, None) if isinstance(item, str | Path) else item
        data = Path(path).read_bytes()
        if solver is None:
            solver = spec_solver(data)
        h = hashlib.sha256()
        files = code_files(solver, digests) if code else "recorded separately"
        h.update(json.dumps([SCHEMA, purpose, solver, environment, files], default=str).encode())
        h.update(b"\0spec\0")
        h.update(data)
        keys.append(h.hexdigest())
    return keys


def scenario_key(spec_path: str | Path, purpose: str, *, solver: str | None = None, kernel: bool = True) -> str:
    """:func:`scenario_keys` of one spec."""
    return scenario_keys([(spec_path, solver)], purpose, kernel=kernel)[0]


def read_cache(path: Path) -> dict:
    """The JSON object in ``path`` ({} if it is missing, unreadable or not ours)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) and data.get("schema") == SCHEMA else {}


def write_cache(path: Path, data: dict) -> bool:
    """Write ``data`` (plus the schema number) atomically; False, silently, if the folder is not writable."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=path.parent, prefix=f".{path.name}.",
                                         delete=False) as f:
            json.dump({**data, "schema": SCHEMA}, f, sort_keys=True)
        os.chmod(f.name, 0o644)  # a site folder is served as it is
        os.replace(f.name, path)
        return True
    except OSError:
        return False
