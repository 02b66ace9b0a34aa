"""Specs are data: a spec from anyone loads in bounded time and memory, and nothing in it runs.

tests/specs/hostile/ holds one hostile spec per file, each with the message it must get (``# expect:``);
the cases that cannot be a file in the repository (a device, a folder, a 50 MB story, deep nesting) are
made here.
"""

from __future__ import annotations

import ast
import re
import time
from pathlib import Path

import pytest

from caselab.scenarios import casebook
from caselab.scenarios.spec import SpecError, load_spec, parse_spec
from caselab.scenarios.text import escape_markdown, python_string_literal

SPECS = Path(__file__).parent / "specs"
HOSTILE = sorted((SPECS / "hostile").glob("*.toml"))
GOOD = (SPECS / "good-minimal.toml").read_text(encoding="utf-8")


def expectations(path: Path) -> list[str]:
    return [m.group(1) for m in re.finditer(r"^# expect: (.*)$", path.read_text(encoding="utf-8"), re.M)]


def test_the_hostile_corpus_has_at_least_20_specs_each_with_its_message():
    assert len(HOSTILE) >= 20
    assert all(expectations(p) for p in HOSTILE)


@pytest.mark.parametrize("path", HOSTILE, ids=[p.stem for p in HOSTILE])
def test_hostile_spec_is_refused_with_its_message(path):
    start = time.monotonic()
    with pytest.raises(SpecError) as info:
        load_spec(path)
    message = str(info.value)
    assert message.startswith(str(path))
    for expected in expectations(path):
        assert expected in message, f"expected {expected!r} in:\n{message}"
    assert len(message) < 4_000, "messages quote a spec's values, never whole blobs"
    assert time.monotonic() - start < 5


def test_a_device_a_folder_and_a_huge_file_are_refused_quickly(tmp_path):
    start = time.monotonic()
    with pytest.raises(SpecError, match="not a regular file"):
        load_spec("/dev/zero")
    with pytest.raises(SpecError, match="is a folder"):
        load_spec(tmp_path)
    big = tmp_path / "big.toml"
    big.write_text(GOOD.replace('story = "A 1,000', 'story = "' + "x" * 50_000_000 + ' A 1,000'), encoding="utf-8")
    with pytest.raises(SpecError, match="larger than 256 KiB"):
        load_spec(big)
    assert time.monotonic() - start < 5


def test_deep_nesting_is_refused_not_a_traceback(tmp_path):
    deep = tmp_path / "deep.toml"
    deep.write_text(GOOD + "\n[variants]\nx = " + "[" * 100_000 + "]" * 100_000 + "\n", encoding="utf-8")
    with pytest.raises(SpecError, match="nests arrays or tables too deeply|is not valid TOML"):
        load_spec(deep)


def test_a_scenario_id_is_never_a_path():
    with pytest.raises(casebook.UnknownScenario, match="is not a scenario id"):
        casebook.load("../../etc/passwd")
    with pytest.raises(casebook.UnknownScenario, match="is not a scenario id"):
        casebook.load("/etc/passwd")


def test_the_environment_never_reaches_a_rendered_text(monkeypatch):
    monkeypatch.setenv("CASELAB_SECRET", "s3cr3t-value")
    data = __import__("tomllib").loads(GOOD)
    data["story"] = "{baseline.__class__.__init__.__globals__[os].environ[CASELAB_SECRET]}"
    with pytest.raises(SpecError) as info:
        parse_spec(data, "x.toml", check_solver=False)
    assert "s3cr3t" not in str(info.value)


@pytest.mark.parametrize("payload", [
    'x"""\nimport pathlib; pathlib.Path("PWNED").write_text("1")\n"""',
    'ends with a quote"',
    "back\\slash \\n and \\x41",
    "'''\n'''; import os #",
])
def test_a_model_answer_stays_one_string_in_the_solution_notebook(payload):
    source = f"final_note = {python_string_literal(payload)}"
    tree = ast.parse(source)
    assert len(tree.body) == 1 and isinstance(tree.body[0], ast.Assign)
    assert ast.literal_eval(tree.body[0].value).strip("\n") == payload


def test_rendered_notebook_of_a_hostile_spec_runs_no_code_and_shows_no_html(tmp_path):
    from nbconvert.filters import markdown2html_mistune

    from caselab.notebooks.render import build_notebook

    text = (GOOD.replace('title = "Two operating points, minimal"', 'title = "T <script>alert(1)</script>"')
            .replace('company = "Example"', 'company = "<img src=x onerror=alert(1)>"')
            .replace('prompt = "F1 of the baseline?"', 'prompt = "F1? <svg onload=alert(1)> [x](javascript:alert(1))"')
            + '\n[[questions]]\nid = "note"\nkind = "rubric"\nprompt = "Say it."\npoints = ["a point"]\n'
              'model_answer = """\nfine\\"\\"\\"\nimport os; os.system(\'touch PWNED\')\n\\"\\"\\"\n"""\n')
    path = tmp_path / "good-minimal.toml"
    path.write_text(text, encoding="utf-8")
    scenario = casebook.load(path)
    nb = build_notebook(scenario, "solution")
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            html = markdown2html_mistune(cell.source)
            assert not re.search(r"<(script|img|svg)\b", html, re.I), html
            assert "javascript:" not in re.sub(r"\s", "", "".join(re.findall(r'href="([^"]*)"', html)))
        else:
            tree = ast.parse(cell.source)  # every code cell is Python ...
            if cell.metadata["caselab"].get("question") == "note" and cell.metadata["caselab"]["role"] == "answer":
                assert len(tree.body) == 1 and isinstance(tree.body[0].value, ast.Constant)  # ... and one string


def test_escape_markdown_keeps_what_learners_read():
    assert escape_markdown("p < 0.5 and $5") == r"p < 0.5 and \$5"
    assert escape_markdown("`<b>` stays code") == "`<b>` stays code"
    assert escape_markdown("<b>bold</b>") == "&lt;b>bold&lt;/b>"
