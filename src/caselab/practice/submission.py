"""A learner's notebook as the grader loads it: read once, checked, never written.

The notebook is data: it names its scenario by id only, and a drill's givens are recomputed from its
seed, so no notebook can choose its own answer key.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any


class NotebookError(Exception):
    """A notebook the grader cannot use (damaged, not a notebook, not a caselab notebook, unknown scenario).

    ``str(e)`` names the file, says what is wrong and how to fix it.
    """

    def __init__(self, path: str | Path, problem: str, fix: str = ""):
        self.path = str(path)
        self.problem = problem
        self.fix = fix
        super().__init__(self.describe())

    def describe(self, name: str | None = None) -> str:
        """The message, naming the file ``name`` (default: its path)."""
        return f"{name or self.path}: {self.problem}" + (f"\n  fix: {self.fix}" if self.fix else "")



@dataclass
class LoadedNotebook:
    """A notebook read and checked, ready to run: never the learner's file object, only a copy."""

    path: Path
    nb: Any  # nbformat.NotebookNode
    scenario: Any  # caselab.spec.Scenario
    givens: dict | None  # a drill variant's givens, or None for the casebook's
    variant: int | None
    sha256: str
    note: str = ""  # something the report should say about the notebook itself (e.g. edited drill givens)

    @property
    def question_ids(self) -> list[str]:
        return [q.id for q in self.scenario.questions]


def load_notebook(path: str | Path) -> LoadedNotebook:
    """Read and check a notebook; a :class:`NotebookError` (file, problem, fix) if it cannot be graded."""
    import hashlib

    import nbformat

    from caselab.scenarios import casebook
    from caselab.scenarios.spec import ID_PATTERN, MAX_ID_LENGTH, SpecError

    path = Path(path)
    regenerate = "re-create it with `caselab render` (it writes notebooks/<scenario>.ipynb) and copy your answers in"
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise NotebookError(path, "no such file.", "check the path (`caselab grade notebooks/` grades a folder).") from None
    except IsADirectoryError:
        raise NotebookError(path, "is a folder, not a notebook.", "pass the .ipynb files, or grade the folder "
                                  "with `caselab grade FOLDER`.") from None
    except OSError as e:
        raise NotebookError(path, f"cannot be read ({e.strerror or e}).", "check the file's permissions.") from None
    try:
        raw = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError as e:
        raise NotebookError(path, f"is not a notebook: not UTF-8 text (byte {e.start}).",
                            f"if it was a notebook, restore it from version control or {regenerate}.") from None
    except json.JSONDecodeError as e:
        what = "is empty" if not data.strip() else f"is not valid JSON (line {e.lineno}, column {e.colno}: {e.msg})"
        raise NotebookError(path, f"the file is damaged: it {what}, so it is not a readable notebook.",
                            "restore it from version control or a backup (JupyterLab: File → Revert Notebook to "
                            f"Checkpoint), or {regenerate}.") from None
    if isinstance(raw, dict) and isinstance(raw.get("nbformat"), int) and raw["nbformat"] < 4:
        raise NotebookError(path, f"is a Jupyter notebook in the old format {raw['nbformat']} (caselab notebooks are "
                                  "format 4), so it has no caselab answers to grade.",
                            f"open it in JupyterLab and save it (that converts it), or {regenerate}.")
    if not isinstance(raw, dict) or not isinstance(raw.get("cells"), list) or "nbformat" not in raw:
        raise NotebookError(path, "is JSON but not a Jupyter notebook (no 'cells' list / 'nbformat' field).",
                            f"grade the .ipynb file of a scenario; {regenerate}.")
    try:
        nb = nbformat.reads(data.decode("utf-8-sig"), as_version=4, capture_validation_error={})
        for cell in nb.cells:
            cell.setdefault("metadata", {})
            if not isinstance(cell.get("source", ""), str) or cell.get("cell_type") not in ("code", "markdown", "raw"):
                raise ValueError("a cell without a cell_type or source")
    except Exception as e:
        raise NotebookError(path, f"is not a valid Jupyter notebook ({type(e).__name__}: {e}).",
                            f"open and re-save it in JupyterLab, restore it from version control, or {regenerate}.") \
            from None
    meta = nb.metadata.get("caselab")
    if not isinstance(meta, dict) or not isinstance(meta.get("scenario"), str):
        raise NotebookError(path, "is not a caselab notebook: it has no metadata.caselab.scenario, so the grader "
                                  "does not know which scenario it answers.",
                            "grade a notebook generated by `caselab render` (notebooks/<scenario>.ipynb); to grade "
                            "work done elsewhere, copy your answers into that notebook's answer cells.")
    if not ID_PATTERN.match(meta["scenario"]) or len(meta["scenario"]) > MAX_ID_LENGTH:
        # a path here would let a notebook choose its own answer key (a spec with other givens)
        raise NotebookError(path, f"metadata.caselab.scenario is {meta['scenario'][:80]!r}, which is not a scenario "
                                  "id: a notebook names its scenario by id only (lowercase letters, digits, hyphens).",
                            f"set it to the id of a scenario in `caselab list`, or {regenerate}.")
    try:
        scenario = casebook.load(meta["scenario"])
    except casebook.UnknownScenario as e:
        raise NotebookError(path, f"answers scenario {meta['scenario']!r}, which this caselab does not have: {e}",
                            "check metadata.caselab.scenario, or update caselab / the casebook this notebook "
                            "came from.") from None
    except SpecError as e:
        raise NotebookError(path, f"its scenario's spec is broken:\n{e}", "fix the spec in casebook/.") from None
    variant, givens, note = _drill_givens(path, scenario, meta)
    return LoadedNotebook(path=path, nb=nb, scenario=scenario, givens=givens, variant=variant,
                          sha256=hashlib.sha256(data).hexdigest(), note=note)


MAX_SEED = 2**32 - 1  # drill seeds are drawn from 3 random bytes; numpy takes up to 128 bits, we need far fewer


def _drill_givens(path: Path, scenario, meta: dict) -> tuple[int | None, dict | None, str]:
    """A drill's givens, recomputed from its seed: the answer key never comes from the notebook itself.

    Returns ``(variant seed or None, givens or None, a note for the report)``; the note says when the
    givens stored in the notebook differ from the seed's (edited metadata is graded against the seed).
    """
    from caselab.scenarios import variants

    seed = meta.get("variant")
    stored = meta.get("givens")
    if seed is None:
        if stored is not None:
            return None, None, ("metadata.caselab.givens is ignored: this notebook is not a drill (no variant "
                                "seed), so it is graded against the casebook's givens.")
        return None, None, ""
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed <= MAX_SEED:
        raise NotebookError(path, f"metadata.caselab.variant is {str(seed)[:40]!r}: a drill's seed is a whole number "
                                  f"from 0 to {MAX_SEED:,}.",
                            f"re-create the drill with `caselab drill {scenario.id} --seed N`.")
    if not scenario.variants:
        raise NotebookError(path, f"is marked as drill {seed} of {scenario.id}, which has no drills.",
                            "grade the notebook of the scenario itself (`caselab render` writes it).")
    try:
        givens = variants.draw(scenario, seed)
    except variants.VariantError as e:
        raise NotebookError(path, f"drill {seed} of {scenario.id} cannot be drawn: {e}",
                            "re-create the drill with another seed.") from None
    note = ""
    if stored is not None and stored != givens:
        note = (f"the givens stored in this notebook differ from drill {seed}'s own: graded against the drill's "
                "givens, recomputed from its seed.")
    return seed, givens, note
