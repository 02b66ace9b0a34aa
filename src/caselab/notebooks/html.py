"""Offline HTML pages of executed notebooks, with their widgets alive and no network.

nbconvert's HTML embeds a notebook's widget state, but its page loads require.js from cdnjs and the
widget manager (``embed-amd.js``) from a CDN, so offline the widgets are blank. Here the page points
at local copies in a ``static/`` folder beside it instead; they come from the npm registry
(``@jupyter-widgets/html-manager`` and ``requirejs``, fetched once with ``npm pack`` into a cache
folder, ``~/.cache/caselab/npm`` by default) — no third-party bundle lives in the repository.
MathJax and Mermaid are left out of the page (caselab's notebooks use neither).

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
import json
import os
import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path

__all__ = ["NPM_PACKAGES", "AssetsUnavailable", "cache_dir", "widget_assets", "copy_assets", "execute_notebook",
           "notebook_html", "export_html", "STATIC"]

# Pinned: html-manager 1.0.x renders the widget state of ipywidgets 8 (@jupyter-widgets/controls 5).
NPM_PACKAGES = {"@jupyter-widgets/html-manager": "1.0.15", "requirejs": "2.3.8"}
STATIC = "static"  # the assets folder beside a page
_EXTS = (".woff2", ".woff", ".ttf", ".eot", ".svg")  # fonts that embed-amd.js's CSS refers to

_TEMPLATE = """{%- extends 'lab/index.html.j2' -%}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
"""


class AssetsUnavailable(RuntimeError):
    """The widget manager's JavaScript could not be fetched (no npm, or the registry refused)."""


def cache_dir() -> Path:
    """Where fetched npm packages are kept: ``$CASELAB_CACHE/npm`` or ``~/.cache/caselab/npm``."""
    root = os.environ.get("CASELAB_CACHE") or Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "caselab"
    return Path(root) / "npm"


def _npm_pack(spec: str, dest: Path) -> Path:
    npm = shutil.which("npm")
    if npm is None:
        raise AssetsUnavailable("npm is not installed: it fetches the widget manager's JavaScript "
                                "(`apt-get install npm`, or install Node.js).")
    proc = subprocess.run([npm, "pack", spec, "--pack-destination", str(dest), "--silent", "--json"],
                          capture_output=True, text=True, timeout=300, cwd=dest)
    if proc.returncode != 0:
        raise AssetsUnavailable(f"`npm pack {spec}` failed: {proc.stderr.strip()[-800:]}")
    try:
        name = json.loads(proc.stdout)[0]["filename"]
    except (ValueError, LookupError, TypeError):
        name = proc.stdout.strip().splitlines()[-1]
    name = name.replace("@", "").replace("/", "-")
    path = dest / name
    if not path.exists():
        found = sorted(dest.glob("*.tgz"))
        if not found:
            raise AssetsUnavailable(f"`npm pack {spec}` wrote no tarball in {dest}")
        path = found[-1]
    return path


def widget_assets(cache: str | Path | None = None) -> Path:
    """A folder with ``embed-amd.js`` (and its fonts) and ``require.js``, fetched once via npm.

    Raises :class:`AssetsUnavailable` when they are not cached and cannot be fetched.
    """
    root = Path(cache) if cache else cache_dir()
    key = "-".join(f"{k.split('/')[-1]}-{v}" for k, v in NPM_PACKAGES.items())
    final = root / key
    if (final / "embed-amd.js").exists() and (final / "require.js").exists():
        return final
    root.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=root, prefix=".fetch-") as tmp:
        tmp = Path(tmp)
        out = tmp / "assets"
        out.mkdir()
        for package, version in NPM_PACKAGES.items():
            tgz = _npm_pack(f"{package}@{version}", tmp)
            with tarfile.open(tgz) as tar:
                members = [m for m in tar.getmembers() if m.isfile()]
                if package == "requirejs":
                    wanted = [m for m in members if m.name == "package/require.js"]
                else:
                    wanted = [m for m in members if m.name.startswith("package/dist/") and (
                        m.name.endswith("/embed-amd.js") or m.name.endswith(_EXTS))]
                    wanted += [m for m in members if m.name in ("package/LICENSE", "package/package.json")]
                for m in wanted:
                    src = tar.extractfile(m)
                    name = Path(m.name).name
                    if name in ("LICENSE", "package.json"):
                        name = f"{package.split('/')[-1]}.{name}"
                    (out / name).write_bytes(src.read())
        if not (out / "embed-amd.js").exists() or not (out / "require.js").exists():
            raise AssetsUnavailable("the npm packages did not contain dist/embed-amd.js and require.js")
        try:
            out.rename(final)
        except OSError:  # another process got there first
            if not (final / "embed-amd.js").exists():
                raise
    return final


def copy_assets(out_dir: str | Path, assets: str | Path | None = None) -> Path:
    """Copy the widget assets into ``out_dir/static`` (once per site); returns that folder."""
    src = Path(assets) if assets else widget_assets()
    dest = Path(out_dir) / STATIC
    dest.mkdir(parents=True, exist_ok=True)
    for f in src.iterdir():
        target = dest / f.name
        if not target.exists() or target.stat().st_size != f.stat().st_size:
            shutil.copy2(f, target)
    return dest


def execute_notebook(nb, *, frames: bool = True, timeout: float = 180, cwd: str | Path | None = None):
    """Execute a notebook (a path or a NotebookNode) with its widget state kept (``metadata.widgets``).

    ``frames=True`` makes caselab's explorers precompute their frames, so that they stay live in a
    static page. Returns the executed notebook (the input is not modified).
    """
    import nbformat
    from nbclient import NotebookClient

    from caselab.notebooks.widgets import FRAMES_ENV

    if isinstance(nb, str | Path):
        path = Path(nb)
        nb = nbformat.read(path, as_version=4)
        cwd = cwd or path.parent
    else:
        nb = copy.deepcopy(nb)
    env = {**os.environ, "PYDEVD_DISABLE_FILE_VALIDATION": "1", "MPLBACKEND": "Agg"}
    if frames:
        env[FRAMES_ENV] = "1"
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3", store_widget_state=True,
                            resources={"metadata": {"path": str(cwd or Path.cwd())}})
    from caselab.notebooks.kernels import launch_kwargs

    client.execute(env=env, **launch_kwargs())  # no per-kernel "running over TCP without encryption" warning
    return nb


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
