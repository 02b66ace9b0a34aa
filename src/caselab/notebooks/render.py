"""Scenario → learner notebook and solution notebook (nbformat), byte-for-byte reproducible.

* Stable cell ids (from the role and the question id), sorted keys, no timestamps, no outputs: rendering
  twice writes the same bytes, so ``caselab render --check`` can tell when a committed notebook is stale.
* Each notebook keeps, in ``metadata.caselab.generated_hash``, a hash of the cells it was generated
  with. If the cells on disk no longer match it, a learner has edited the notebook: rendering keeps
  their file and writes the new version beside it (``<id>.new.ipynb``), and says so.
* :func:`render_specs` (``caselab render [--check]``) remembers, in caselab's cache folder, the sha256
  of the notebooks each spec rendered to, under the fingerprint of everything they are made from
  (:func:`caselab.fingerprint.scenario_key`). A spec whose fingerprint is known is neither loaded nor
  solved: its notebooks on disk are compared by hash with the recorded ones — so a stale or edited
  notebook is still reported, without the solving that makes a full check slow.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nbformat

from caselab.scenarios import solvers
from caselab.scenarios.spec import Scenario, fill
from caselab.scenarios.text import escape_markdown, flatten_givens, python_string_literal, worked_answer

__all__ = ["build_notebook", "notebook_bytes", "render_scenario", "render_all", "render_specs", "RenderResult",
           "cells_hash", "is_edited", "stored_hash", "atomic_write", "FORMAT_VERSION", "FOLDERS",
           "speaking_time_text", "part_minutes"]

FORMAT_VERSION = 1
KINDS = ("learner", "solution")
FOLDERS = {"learner": "notebooks", "solution": "solutions"}
_CACHE_FILE = "render.json"  # in caselab.fingerprint.cache_root()
_CACHE_ENTRIES = 2000  # the most recent fingerprints kept


# --------------------------------------------------------------------------------------------------
# Building the cells
# --------------------------------------------------------------------------------------------------
def _cell(kind: str, source: str, role: str, key: str, question: str | None = None):
    meta: dict[str, Any] = {"caselab": {"role": role}}
    if question:
        meta["caselab"]["question"] = question
    from nbformat import from_dict  # nbformat imports in ~1 s: only when building

    # The fields of nbformat.v4's new_code_cell / new_markdown_cell, without their per-cell schema
    # validation (half the time of rendering the casebook); the notebook is validated whole when written.
    if kind == "code":
        return from_dict({"id": key, "cell_type": "code", "metadata": meta, "execution_count": None,
                          "source": source.strip("\n"), "outputs": []})
    return from_dict({"id": key, "cell_type": "markdown", "metadata": meta,
                      "source": escape_markdown(source).strip("\n")})


def _literal(value: Any) -> str:
    """A TOML value as Python source (dicts and lists kept readable)."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k!r}: {_literal(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_literal(v) for v in value) + "]"
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10_000:
        return f"{value:_}"
    return repr(value)


def _givens_table(scenario: Scenario, givens: dict) -> str:
    schema = solvers.get(scenario.solver).GIVENS
    rows = ["| given | value | meaning |", "|---|---|---|"]
    for name, value, doc in flatten_givens(givens, schema):
        shown = f"{value:,}" if isinstance(value, int) and not isinstance(value, bool) else (
            "[" + ", ".join(f"{v:g}" if isinstance(v, float) else str(v) for v in value) + "]"
            if isinstance(value, list) else f"{value}")
        rows.append(f"| `{name}` | {shown} | {doc} |")
    return "## Givens\n\n" + "\n".join(rows)


def _header(scenario: Scenario, kind: str, variant: int | None) -> str:
    s = scenario.source
    lines = [f"# {scenario.title}" + ("" if kind == "learner" else " — worked solution"), "",
             f"**{s.company}** · {s.role} · {s.round} · difficulty: **{s.difficulty}**  ",
             f"Topics: {', '.join(scenario.topics)}" + (f" · seed parts: {', '.join(scenario.seed_parts)}"
                                                         if scenario.seed_parts else "")]
    if variant is not None:
        lines.append(f"\n*Drill variant {variant}: the numbers differ from the casebook's.*")
    if kind == "learner":
        lines += ["", "Answer each question in its cell (replace `...`), then run the check cell below it. "
                      "`case.hint(\"id\")` gives a nudge, `case.solution(\"id\")` the worked answer, "
                      "`case.progress()` your score so far. Positive means *score ≥ threshold* throughout."]
    else:
        lines += ["", "Each answer below is computed with caselab's reference library, in view: read the code, "
                      "the formula and the numbers."]
    return "\n".join(lines)


def _answer_placeholder(q) -> str:
    if q.widget:  # answered by setting an explorer: the cell reads (and records) the slider's value
        return (f"{q.id} = {q.widget}_explorer.answer({q.id!r})  "
                f"# move the {q.widget} explorer's slider above, then run this cell")
    if q.kind == "number":
        return f"{q.id} = ...  # a number"
    if q.kind == "rubric":
        return f'{q.id} = ...  # your answer as a string: """..."""'
    return f"{q.id} = ...  # one of: " + ", ".join(json.dumps(o, ensure_ascii=False) for o in q.options)


def speaking_time_text(minutes: float) -> str:
    """Minutes as people say them: ``0.5`` → "30 s", ``2`` → "2 min", ``2.5`` → "2 min 30 s"."""
    seconds = round(minutes * 60)
    m, s = divmod(seconds, 60)
    if not m:
        return f"{s} s"
    return f"{m} min" + (f" {s} s" if s else "")


def part_minutes(questions) -> float:
    """The target time of a part: the sum of its questions' speaking times."""
    return sum(q.speaking_time or 0.0 for q in questions)


def _drill_links(ids) -> str:
    # the learner and worked notebooks of every scenario sit side by side in notebooks/ and solutions/
    return " · ".join(f"[`{sid}`]({sid}.ipynb)" for sid in ids)


def _part_drills(questions) -> list[str]:
    seen: list[str] = []
    for q in questions:
        seen += [d for d in q.drills if d not in seen]
    return seen


def _plan(scenario: Scenario) -> str:
    """The capstone's interview plan: each part, its questions, its target time and its drills."""
    rows = ["| part | questions | target time | drill it in |", "|---|---|---|---|"]
    total = 0.0
    for label, qs in scenario.parts():
        minutes = part_minutes(qs)
        total += minutes
        rows.append(f"| {label or '—'} | {', '.join(f'`{q.id}`' for q in qs)} | "
                    f"{speaking_time_text(minutes) if minutes else '—'} | {_drill_links(_part_drills(qs)) or '—'} |")
    return (f"## The interview plan\n\nAbout {speaking_time_text(total)} in all, part by part, in the order the "
            "interviewer asks. Answer each open part out loud first, against its time, then write it down.\n\n"
            + "\n".join(rows))


def _part_header(label: str, questions) -> str:
    minutes = part_minutes(questions)
    spoken = [q for q in questions if q.kind == "rubric" and q.speaking_time]
    lines = [f"## {label}"]
    if minutes:
        detail = (f" (the spoken answer: {speaking_time_text(sum(q.speaking_time for q in spoken))})"
                  if spoken and len(spoken) < len(questions) else "")
        lines.append(f"*Target time for this part: about {speaking_time_text(minutes)}{detail}.*")
    drills = _part_drills(questions)
    if drills:
        lines.append(f"Drill this part in detail: {_drill_links(drills)}")
    return "\n\n".join(lines)


def _prompt(i: int, q, givens: dict) -> str:
    text = f"### Q{i}. `{q.id}`" + (f" — {q.part}" if q.part else "") + f"\n\n{q.prompt_text(givens)}"
    if q.speaking_time:
        text += f"\n\n*Target speaking time: {speaking_time_text(q.speaking_time)}.*"
    if q.drills and not q.part:
        text += f"\n\nDrill it in: {_drill_links(q.drills)}"
    if q.kind in ("choice", "decision"):
        text += "\n\nOptions: " + ", ".join(f"`{o}`" for o in q.options)
    if q.kind == "rubric":
        text += ("\n\n*Open question: write your answer as a string. The check shows the coach's point-by-point "
                 "estimate — feedback, not a score; then score yourself with "
                 f"`case.score({q.id!r}, [the numbers of the points you made])`.*")
    return text


def build_notebook(scenario: Scenario, kind: str = "learner", *, givens: dict | None = None,
                   variant: int | None = None):
    """The learner (``kind="learner"``) or worked (``kind="solution"``) notebook of a scenario."""
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}; got {kind!r}")
    from caselab.scenarios import casebook

    givens = scenario.givens if givens is None else givens
    solution = casebook.solve(scenario, givens)
    cells = [
        _cell("markdown", _header(scenario, kind, variant), "header", "header"),
        _cell("markdown", "## The story\n\n" + fill(scenario.story, givens).strip(), "story", "story"),
        _cell("markdown", _givens_table(scenario, givens), "givens-table", "givens-table"),
    ]
    open_case = (f"case = caselab.case({scenario.id!r})" if variant is None
                 else f"case = caselab.case({scenario.id!r}, variant={variant})")
    given_lines = "\n".join(f"{k} = {_literal(v)}" for k, v in givens.items())
    cells.append(_cell("code", f"import caselab\n{open_case}\n\n# the givens\n{given_lines}", "setup", "setup"))
    if solution.data_code:
        cells.append(_cell("code", solution.data_code, "data", "data"))
    if kind == "solution" and solution.setup_code:
        cells.append(_cell("code", solution.setup_code, "work", "work"))
    for explorer in scenario.explorers:
        if explorer in solution.explorers:
            cells.append(_cell("code", solution.explorers[explorer], "explorer", f"explorer-{explorer}"))

    if scenario.is_capstone:
        cells.append(_cell("markdown", _plan(scenario), "plan", "plan"))
    part_starts = {qs[0].id: (label, qs) for label, qs in scenario.parts() if label}
    for i, q in enumerate(scenario.questions, 1):
        if q.id in part_starts:
            label, qs = part_starts[q.id]
            slug = re.sub(r"[^a-z0-9]+", "-", label.lower()).strip("-") or "part"
            cells.append(_cell("markdown", _part_header(label, qs), "part", f"part-{slug}-{q.id}"))
        cells.append(_cell("markdown", _prompt(i, q, givens), "prompt", f"prompt-{q.id}", q.id))
        if kind == "learner":
            answer_src = _answer_placeholder(q)
        elif q.kind == "rubric":
            answer_src = f"{q.id} = {python_string_literal(fill(q.model_answer, solution.prose_givens(givens)).strip())}"
        else:
            answer_src = solution.answers[q.id].code
            if q.widget:  # show the worked answer on the explorer too
                answer_src += f"\n{q.widget}_explorer.value = {q.id}"
        cells.append(_cell("code", answer_src, "answer", f"answer-{q.id}", q.id))
        # the variable is looked up by name, so a check before its answer cell ran says so (not a NameError)
        cells.append(_cell("code", f"case.check({q.id!r})", "check", f"check-{q.id}", q.id))
        if kind == "solution":
            cells.append(_cell("markdown", worked_answer(q, solution.answers.get(q.id), solution.prose_givens(givens)), "explain",
                               f"explain-{q.id}", q.id))
    cells.append(_cell("code", "case.progress()", "progress", "progress"))

    from nbformat.v4 import new_notebook

    nb = new_notebook(cells=cells)
    nb.metadata = {
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
        "caselab": {"scenario": scenario.id, "kind": kind, "variant": variant, "format": FORMAT_VERSION},
    }
    if variant is not None:
        nb.metadata["caselab"]["givens"] = givens
    nb.metadata["caselab"]["generated_hash"] = cells_hash(nb)
    return nb


# --------------------------------------------------------------------------------------------------
# Hashing, bytes, and writing without losing a learner's work
# --------------------------------------------------------------------------------------------------
def cells_hash(nb) -> str:
    """A hash of the cells' types and sources — what a learner edits (outputs are not edits)."""
    h = hashlib.sha256()
    for cell in nb.get("cells", []):
        src = cell.get("source", "")
        src = "".join(src) if isinstance(src, list) else src
        h.update(cell.get("cell_type", "").encode())
        h.update(b"\0")
        h.update(src.encode("utf-8"))
        h.update(b"\1")
    return h.hexdigest()[:16]


def notebook_bytes(nb) -> bytes:
    """The notebook as written to disk; an invalid notebook (a bug in the renderer) raises."""
    problem: dict = {}
    text = nbformat.writes(nb, version=4, capture_validation_error=problem)
    if problem:
        raise problem["ValidationError"]
    return (text + "\n").encode("utf-8")


def is_edited(path: Path) -> bool:
    """True if the notebook at ``path`` was changed since caselab generated it (or cannot be read)."""
    try:
        nb = json.loads(path.read_text(encoding="utf-8"))
        stored = nb["metadata"]["caselab"]["generated_hash"]
    except (OSError, ValueError, KeyError, TypeError):
        return True  # unreadable or foreign: never overwrite it
    return cells_hash(nb) != stored


@dataclass(frozen=True)
class RenderResult:
    path: Path
    # "unchanged" | "written" | "created" | "kept-edited" | with check=True: "stale", or "edited" (answered in
    # place: the file's generated cells are the current ones, but someone edited them)
    status: str
    beside: Path | None = None  # where the new version went when the learner's file was kept (None: no new version)

    def describe(self) -> str:
        if self.status == "kept-edited" and self.beside is None:
            return (f"kept {self.path} (edited in place; its generated version is the current one, so nothing "
                    "new was written). Answer in your workspace instead (`caselab study`); "
                    f"`git checkout -- {self.path}` restores this one")
        if self.status == "kept-edited":
            return (f"kept {self.path} (you edited it); the new version is in {self.beside} — "
                    "merge what you need, then delete one of them")
        return f"{self.status:9} {self.path}"


def stored_hash(path: Path) -> str | None:
    """``metadata.caselab.generated_hash`` of the notebook at ``path`` (None if unreadable or absent)."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))["metadata"]["caselab"]["generated_hash"]
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _write(path: Path, data: bytes, check: bool, generated_hash: str | None = None) -> RenderResult:
    if path.exists():
        if path.read_bytes() == data:
            return RenderResult(path, "unchanged")
        # Edited, but generated from these very cells: a `.new` file would be a copy of what was generated.
        in_place = generated_hash is not None and is_edited(path) and stored_hash(path) == generated_hash
        if check:
            return RenderResult(path, "edited" if in_place else "stale")
        if in_place:
            return RenderResult(path, "kept-edited")
        if is_edited(path):
            beside = path.with_name(path.stem + ".new.ipynb")
            beside.write_bytes(data)
            return RenderResult(path, "kept-edited", beside)
        atomic_write(path, data)
        return RenderResult(path, "written")
    if check:
        return RenderResult(path, "stale")
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(path, data)
    return RenderResult(path, "created")


def atomic_write(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file beside it, so a reader never sees half a file."""
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(data)
    tmp.replace(path)


def _expected(scenario: Scenario) -> dict[str, tuple[bytes, str]]:
    """``{kind: (notebook bytes, generated hash)}``: what rendering writes, and the hash of its cells."""
    out = {}
    for kind in KINDS:
        nb = build_notebook(scenario, kind)
        out[kind] = (notebook_bytes(nb), nb.metadata["caselab"]["generated_hash"])
    return out


def render_scenario(scenario: Scenario, root: Path, *, check: bool = False) -> list[RenderResult]:
    """Write (or, with ``check``, compare) ``notebooks/<id>.ipynb`` and ``solutions/<id>.ipynb`` under root."""
    return [_write(Path(root) / FOLDERS[kind] / f"{scenario.id}.ipynb", data, check, generated)
            for kind, (data, generated) in _expected(scenario).items()]


def _orphans(root: Path, ids: set[str]) -> list[RenderResult]:
    out = []
    for folder in FOLDERS.values():
        for extra in sorted((Path(root) / folder).glob("*.ipynb")):
            if extra.stem not in ids and not extra.name.endswith(".new.ipynb"):
                out.append(RenderResult(extra, "orphan"))
    return out


def render_all(scenarios, root: Path, *, check: bool = False, progress=None,
               orphans: bool = True) -> list[RenderResult]:
    """Render every scenario; with ``check``, also report notebooks that have no spec (unless ``orphans=False``)."""
    results = []
    for i, scenario in enumerate(scenarios, 1):
        results += render_scenario(scenario, root, check=check)
        if progress:
            progress(i, scenario.id)
    if check and orphans:
        results += _orphans(root, {s.id for s in scenarios})
    return results


def _load_and_build(load, spec: Path, digests) -> tuple[str, dict[str, tuple[bytes, str]], dict[str, str] | None]:
    """``(scenario id, _expected(scenario), code)`` for one spec file: loading it (which solves it, to check
    the solver answers every question) and building its notebooks. ``code``, given the package's
    ``digests``, is the code that ran to make them: the record :func:`render_specs` keeps (see
    :func:`caselab.fingerprint.loaded_code`)."""
    from caselab.notebooks import fingerprint

    scenario = load(spec)
    expected = _expected(scenario)
    return scenario.id, expected, (fingerprint.loaded_code(scenario.solver, digests) if digests is not None else None)


def default_jobs() -> int:
    """Processes worth starting to load and solve specs: one per CPU this process may use, at most 4."""
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # (not on every platform)
        cpus = os.cpu_count() or 1
    return max(1, min(cpus, 4))


def _picklable(obj) -> bool:
    import pickle

    try:
        pickle.dumps(obj)
    except Exception:  # noqa: BLE001 — a local function, a lambda: not sendable to another process
        return False
    return True


def _build_all(specs: dict[int, Path], load, digests, jobs: int | None):
    """Yield ``(index, _load_and_build(load, spec, digests))`` for each spec, as each finishes.

    Loading a spec solves it, and solving is most of a cold ``caselab render --check`` (a few scenarios
    train models); specs are independent. With three or more to build, more than one job and a ``load``
    that can be sent to another process, they are loaded and built in fresh ("spawn") processes — not
    forked from this one, which may hold threads or an OpenMP runtime that a fork breaks; this process
    then never imports the solvers' libraries. A worker starts with the IRI grammar skipped (as the CLI
    does); the bytes are the same either way. If a worker fails, that spec is loaded and built again
    here, so its error (a malformed spec's message, or a traceback) is raised as one process raises it.
    """
    jobs = default_jobs() if jobs is None else max(1, jobs)
    if jobs == 1 or len(specs) < 3 or not _picklable(load):
        for i, spec in specs.items():
            yield i, _load_and_build(load, spec, digests)
        return
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor, as_completed

    from caselab.notebooks._fastimport import skip_iri_grammar

    pool = ProcessPoolExecutor(max_workers=min(jobs, len(specs)), mp_context=multiprocessing.get_context("spawn"),
                               initializer=skip_iri_grammar)
    try:
        futures = {pool.submit(_load_and_build, load, spec, digests): i for i, spec in specs.items()}
        for future in as_completed(futures):
            i = futures[future]
            try:
                result = future.result()
            except Exception:  # noqa: BLE001 — again here: the real error, or a worker that died
                result = _load_and_build(load, specs[i], digests)
            yield i, result
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _sha256(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


def render_specs(spec_paths, root: Path, *, check: bool = False, progress=None, orphans: bool = True,
                 load=None, cache: bool = True, jobs: int | None = None) -> list[RenderResult]:
    """:func:`render_all` from spec files, loading and solving only the specs whose fingerprint is new.

    For a spec whose fingerprint (:func:`caselab.fingerprint.scenario_key`) was seen before, the
    notebooks on disk are compared by sha256 with the ones it rendered to then: equal is
    ``unchanged``; different or missing is ``stale`` (``check``) or rendered again. Other specs are
    loaded (``load(path)``, default :func:`caselab.casebook.load`) and rendered, and their hashes recorded.
    ``cache=False`` ignores and keeps no record. ``progress(i, scenario id)`` after each spec (the i-th
    done, not always in the specs' order). Specs to solve are solved in ``jobs`` processes (default: one
    per CPU, at most 4); see :func:`_build_all`.
    """
    from caselab.notebooks import fingerprint
    from caselab.scenarios import casebook

    load = load or casebook.load
    root = Path(root)
    cache_path = fingerprint.cache_root() / _CACHE_FILE
    entries: dict[str, dict] = dict(fingerprint.read_cache(cache_path).get("entries", {})) if cache else {}
    learned = False
    ids: set[str] = set()
    spec_paths = [Path(p) for p in spec_paths]
    # The key covers the spec, the environment and the solver's name; the code is checked per record:
    # the files that had been imported when it was made (see fingerprint.loaded_code), so editing a module
    # that rendering never imports (the widgets, the grader's runner, the guide) keeps the records valid.
    keys = (fingerprint.scenario_keys(spec_paths, "render", kernel=False, code=False) if cache
            else [None] * len(spec_paths))
    digests = fingerprint.package_digests() if cache else []
    done: dict[int, list[RenderResult]] = {}  # spec index → its results, in the order of spec_paths
    to_build: dict[int, Path] = {}
    for i, (spec, key) in enumerate(zip(spec_paths, keys, strict=True)):
        entry = entries.get(key) if key else None
        if not (isinstance(entry, dict) and all(isinstance(entry.get(k), str) for k in ("id", *KINDS))
                and isinstance(entry.get("code"), dict) and fingerprint.code_unchanged(entry["code"], digests)):
            entry = None  # unknown, made by other code, or not a record of ours
        paths = {kind: root / FOLDERS[kind] / f"{entry['id']}.ipynb" for kind in KINDS} if entry else {}
        if entry and all(_sha256(paths[k]) == entry[k] for k in KINDS):
            # Known inputs, notebooks as rendered: the expected bytes are known by their hash; no need to
            # load or solve. (A notebook that differs is rendered again below, to tell stale from edited.)
            done[i] = [RenderResult(paths[k], "unchanged") for k in KINDS]
            ids.add(entry["id"])
            entries[key] = entries.pop(key)  # most recently used last
            if progress:
                progress(len(done), entry["id"])
        else:
            to_build[i] = spec
    for i, (sid, expected, code) in _build_all(to_build, load, digests if cache else None, jobs):
        done[i] = [_write(root / FOLDERS[kind] / f"{sid}.ipynb", data, check, generated)
                   for kind, (data, generated) in expected.items()]
        ids.add(sid)
        if keys[i]:
            entries.pop(keys[i], None)
            entries[keys[i]] = {"id": sid, "code": code,
                                **{k: hashlib.sha256(d).hexdigest() for k, (d, _) in expected.items()}}
            learned = True
        if progress:
            progress(len(done), sid)
    results = [r for i in sorted(done) for r in done[i]]
    if check and orphans:
        results += _orphans(root, ids)
    if learned:
        fingerprint.write_cache(cache_path, {"entries": dict(list(entries.items())[-_CACHE_ENTRIES:])})
    return results
