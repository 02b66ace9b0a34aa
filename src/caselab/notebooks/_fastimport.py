"""Import-time savings for commands that import nbformat (render, guide, grading).

nbformat imports jsonschema, which builds an IRI grammar (``rfc3987_syntax``, a Lark parser) at import:
~1–2 s of CPU, for a string format that the notebook schema never uses. :func:`skip_iri_grammar`
lets jsonschema go without it — only if jsonschema is not imported yet (otherwise it is too late, and
nothing is changed). A notebook's validation and bytes are the same either way (`caselab render
--check` compares them byte for byte).
"""

from __future__ import annotations

import sys

__all__ = ["skip_iri_grammar"]


def skip_iri_grammar() -> None:
    """Make ``import rfc3987_syntax`` fail (jsonschema tolerates that) unless jsonschema is already imported."""
    if "jsonschema" not in sys.modules and "rfc3987_syntax" not in sys.modules:
        sys.modules["rfc3987_syntax"] = None  # `import rfc3987_syntax` → ImportError, which jsonschema tolerates
