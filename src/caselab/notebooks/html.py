"""Offline HTML pages of executed notebooks, with their widgets alive and no network.

nbconvert's HTML embeds a notebook's widget state, but its page loads require.js from cdnjs and the
widget manager (``embed-amd.js``) from a CDN, so offline the widgets are blank. Here the page points
at local copies in a ``static/`` folder beside it instead. Those files ship inside the package
(``caselab/static/``: ``@jupyter-widgets/html-manager``'s ``embed-amd.js`` and the fonts it loads,
``requirejs``'s ``require.js``, each with its licence; ``caselab/static/README.md`` says where they
came from and how to refresh them), so building a page needs neither npm nor the network.
MathJax and Mermaid are left out of the page (caselab's notebooks use neither: their Markdown escapes ``$``).

>>> nb = execute_notebook("solutions/tiktok-threshold-capacity.ipynb")     # doctest: +SKIP
>>> export_html(nb, "site/")                                               # doctest: +SKIP
PosixPath('site/tiktok-threshold-capacity.html')

Explorers built while executing with ``frames=True`` (the default here) precompute one frame per
slider position, linked to the slider in the browser: in the page, moving a slider moves the
numbers and the markers without a kernel.

Reused by the study-guide builder: :func:`widget_assets` (the files), :func:`copy_assets` (into a
site), :func:`execute_notebook`, :func:`notebook_html` (the HTML text) and :func:`export_html`.
"""

from __future__ import annotations

import copy
import shutil
import tempfile
from pathlib import Path

__all__ = ["ASSET_SOURCES", "AssetsUnavailable", "widget_assets", "copy_assets", "execute_notebook",
           "notebook_html", "export_html", "STATIC"]

# Where the shipped files come from (caselab/static/README.md has the details and the refresh recipe).
# Pinned: html-manager 1.0.x renders the widget state of ipywidgets 8 (@jupyter-widgets/controls 5).
ASSET_SOURCES = {"@jupyter-widgets/html-manager": "1.0.15", "requirejs": "2.3.8",
                 "@fortawesome/fontawesome-free": "5.15.4"}
STATIC = "static"  # the assets folder beside a page
_REQUIRED = ("embed-amd.js", "require.js")

_TEMPLATE = """{%- extends 'lab/index.html.j2' -%}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
"""


class AssetsUnavailable(RuntimeError):
    """The widget manager's files are missing from the installed package (a broken install)."""


def widget_assets() -> Path:
    """The folder shipped in the package with ``embed-amd.js`` (and its fonts), ``require.js`` and their licences.

    Raises :class:`AssetsUnavailable` when the installation lacks them (reinstall caselab).
    """
    from importlib.resources import files

    folder = Path(str(files("caselab") / STATIC))
    missing = [name for name in _REQUIRED if not (folder / name).is_file()]
    if missing:
        raise AssetsUnavailable(f"the widget manager's files {missing} are missing from {folder}: this caselab "
                                "installation is incomplete; reinstall it (`pip install --force-reinstall caselab`).")
    return folder


def copy_assets(out_dir: str | Path, assets: str | Path | None = None) -> Path:
    """Copy the widget assets (with their licences) into ``out_dir/static``; returns that folder.

    Files already there with the same size and modification time (``copy2`` keeps it) are left alone,
    so rebuilding a site rewrites nothing.
    """
    src = Path(assets) if assets else widget_assets()
    dest = Path(out_dir) / STATIC
    dest.mkdir(parents=True, exist_ok=True)
    for f in src.iterdir():
        if not f.is_file() or f.name.startswith((".", "__")):
            continue
        target = dest / f.name
        there, here = (target.stat() if target.exists() else None), f.stat()
        if there is None or (there.st_size, int(there.st_mtime)) != (here.st_size, int(here.st_mtime)):
            shutil.copy2(f, target)
    return dest


# Run in a kernel between two notebooks: what one notebook leaves behind must not reach the next
# (its variables, widgets, figures, explorer presets); the next notebook's cells count from 1 again.
_RESET_KERNEL = """\
import sys as _sys
if "ipywidgets" in _sys.modules:
    _sys.modules["ipywidgets"].Widget.close_all()
if "matplotlib.pyplot" in _sys.modules:
    _sys.modules["matplotlib.pyplot"].close("all")
if "caselab.notebooks.widgets" in _sys.modules:
    _sys.modules["caselab.notebooks.widgets"].preset(None)
get_ipython().reset(new_session=True)
"""


def _kernel_env(frames: bool) -> dict[str, str]:
    from caselab.notebooks.kernel_env import executor_env
    from caselab.notebooks.widgets import FRAMES_ENV

    # not the learner's kernel: executing worked solutions must not write their journal (journal.may_write)
    env = executor_env(PYDEVD_DISABLE_FILE_VALIDATION="1", MPLBACKEND="Agg")
    env.pop(FRAMES_ENV, None)
    if frames:
        env[FRAMES_ENV] = "1"
    # Kernels run side by side: one BLAS/OpenMP thread each, or they oversubscribe the cores.
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        env.setdefault(var, "1")
    return env


class _Kernel:
    """One kernel that executes notebooks one after another (reset in between), started on first use."""

    def __init__(self, env: dict[str, str], cwd: Path, timeout: float):
        self.env, self.cwd, self.timeout = env, cwd, timeout
        self.km = self.kc = None
        self.stderr = tempfile.TemporaryFile(mode="w+b")
        self.used = 0

    async def start(self) -> None:
        from jupyter_client.manager import AsyncKernelManager

        from caselab.notebooks.kernels import launch_kwargs

        self.km = AsyncKernelManager(kernel_name="python3")
        kwargs = {"env": self.env, "cwd": str(self.cwd), "stdout": self.stderr, "stderr": self.stderr}
        kwargs.update(launch_kwargs())  # encrypted where supported: no "running over TCP without encryption"
        await self.km.start_kernel(**kwargs)
        self.kc = self.km.client()
        self.kc.start_channels()
        await self.kc.wait_for_ready(timeout=60)
        # case.progress() imports nbformat; its IRI grammar costs 1–2 s of CPU per kernel and changes no output.
        await self._run("from caselab.notebooks._fastimport import skip_iri_grammar as _skip\n_skip()\ndel _skip")
        self.used = 0

    async def _run(self, code: str) -> None:
        reply = await self.kc.execute_interactive(code, store_history=False, timeout=60, output_hook=lambda msg: None)
        if reply["content"].get("status") != "ok":
            raise RuntimeError(f"preparing the kernel failed: {reply['content'].get('evalue')}")

    async def run(self, nb):
        from nbclient import NotebookClient

        if self.km is None:
            await self.start()
        elif self.used:
            await self._run(_RESET_KERNEL)
        client = NotebookClient(nb, km=self.km, kernel_name="python3", store_widget_state=True,
                                timeout=self.timeout, resources={"metadata": {"path": str(self.cwd)}})
        client.kc = self.kc
        self.used += 1
        await client.async_execute()
        return nb

    async def stop(self) -> None:
        if self.kc is not None:
            self.kc.stop_channels()
        if self.km is not None and self.km.has_kernel:
            await self.km.shutdown_kernel(now=True)  # nothing to save; a graceful stop costs ~1.5 s
        self.km = self.kc = None

    def stderr_tail(self) -> str:
        self.stderr.seek(0)
        lines = [line for line in self.stderr.read().decode("utf-8", "replace").splitlines()
                 if line.strip() and "without encryption" not in line]
        return "\n".join(lines[-15:])


def execute_notebooks(notebooks, *, jobs: int = 2, frames: bool = True, timeout: float = 180,
                      cwd: str | Path | None = None):
    """Execute several notebooks, ``jobs`` kernels at a time; yields ``(index, executed notebook or exception)``.

    Results come as each notebook finishes (not in order). Each kernel runs notebook after notebook and
    is reset in between (variables, widgets, figures): starting a kernel and importing numpy, matplotlib
    and caselab again for every notebook is most of the cost of a small one. A notebook that fails
    yields its exception (with the kernel's last stderr lines) and its kernel is replaced, so one broken
    notebook does not sink the others. Inputs are not modified (paths are read, nodes are copied).
    """
    import asyncio
    import queue
    import threading

    import nbformat

    items = []
    for nb in notebooks:
        items.append(nbformat.read(nb, as_version=4) if isinstance(nb, str | Path) else copy.deepcopy(nb))
    cwd = Path(cwd or Path.cwd())
    env = _kernel_env(frames)
    results: queue.Queue = queue.Queue()

    async def worker(todo: asyncio.Queue) -> None:
        kernel = _Kernel(env, cwd, timeout)
        try:
            while True:
                try:
                    i = todo.get_nowait()
                except asyncio.QueueEmpty:
                    return
                try:
                    results.put((i, await kernel.run(items[i])))
                except Exception as e:
                    tail = kernel.stderr_tail()
                    if tail:
                        e.add_note(f"kernel stderr:\n{tail}")
                    results.put((i, e))
                    await kernel.stop()  # a fresh kernel for the next notebook
        finally:
            await kernel.stop()
            kernel.stderr.close()

    async def main() -> None:
        todo: asyncio.Queue = asyncio.Queue()
        for i in range(len(items)):
            todo.put_nowait(i)
        await asyncio.gather(*(worker(todo) for _ in range(max(1, min(jobs, len(items))))))

    def run_loop() -> None:
        try:
            asyncio.run(main())
        except BaseException as e:  # surfaced to the consumer below
            results.put(("crash", e))
        finally:
            results.put(None)

    thread = threading.Thread(target=run_loop, name="caselab-notebooks", daemon=True)
    thread.start()
    while (item := results.get()) is not None:
        if item[0] == "crash":
            raise item[1]
        yield item
    thread.join()


def execute_notebook(nb, *, frames: bool = True, timeout: float = 180, cwd: str | Path | None = None):
    """Execute a notebook (a path or a NotebookNode) with its widget state kept (``metadata.widgets``).

    ``frames=True`` makes caselab's explorers precompute their frames, so that they stay live in a
    static page. Returns the executed notebook (the input is not modified).
    """
    if isinstance(nb, str | Path):
        cwd = cwd or Path(nb).parent
    [(_, result)] = list(execute_notebooks([nb], jobs=1, frames=frames, timeout=timeout, cwd=cwd))
    if isinstance(result, Exception):
        raise result
    return result


def notebook_html(nb, *, static_url: str = STATIC, title: str | None = None) -> str:
    """The HTML of an (executed) notebook, loading the widget manager from ``static_url``."""
    from nbconvert import HTMLExporter

    with tempfile.TemporaryDirectory() as tmp:
        tpl = Path(tmp) / "caselab_offline.html.j2"
        tpl.write_text(_TEMPLATE, encoding="utf-8")
        exporter = HTMLExporter(template_name="lab", template_file=str(tpl), extra_template_basedirs=[tmp],
                                widget_renderer_url=f"{static_url}/embed-amd.js",
                                require_js_url=f"{static_url}/require.js", mathjax_url="")
        resources = {"metadata": {"name": title}} if title else None
        body, _ = exporter.from_notebook_node(nb, resources=resources)
    return body


def export_html(nb, out_dir: str | Path, *, name: str | None = None, assets: str | Path | None = None) -> Path:
    """Write ``out_dir/<name>.html`` and ``out_dir/static/`` (the widget manager): a page that works offline.

    ``nb`` is an executed notebook (NotebookNode) or the path of one; ``name`` defaults to the
    scenario id in its metadata, or the file's stem. Returns the page's path.
    """
    import nbformat

    if isinstance(nb, str | Path):
        path = Path(nb)
        name = name or path.stem
        nb = nbformat.read(path, as_version=4)
    meta = nb.get("metadata", {}).get("caselab", {}) or {}
    name = name or meta.get("scenario") or "notebook"
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    copy_assets(out, assets)
    page = out / f"{name}.html"
    page.write_text(notebook_html(nb, title=name), encoding="utf-8")
    return page
