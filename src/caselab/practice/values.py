"""Answers across the kernel boundary: a learner's values encoded as JSON in the kernel, rebuilt here.

The collector cell runs :func:`encode_value` inside the learner's kernel (its source is sent along);
:func:`decode_value` rebuilds a stand-in that the grader can judge without running learner code.
"""


import inspect
from collections.abc import Sequence
from typing import Any

VALUES_MIME = "application/vnd.caselab.values+json"
MAX_STR = 200_000  # characters of a string answer sent back from the kernel

def encode_value(value):
    """A JSON-able description of a learner's value (runs inside the kernel; self-contained).

    ``{"t": kind, ...}`` with kind one of ``ellipsis none bool str number complex ndarray list tuple
    dict set frozenset other``; numbers (numpy scalars too) become floats, with ``"nan"``, ``"inf"``,
    ``"-inf"`` as strings; containers keep their length, arrays their shape, anything else its type
    name. (Missing variables are ``{"t": "missing"}``, written by the collector.)

    Only values of the built-in and numpy types are looked into, by *exact* type: a learner's own class
    (or a subclass of float whose ``__float__`` loops, exits or prints a megabyte) is described by its
    type name alone, so no learner code runs here and one odd answer cannot spoil the others.
    """
    import decimal
    import fractions
    import math

    try:
        import numpy as np
    except ImportError:  # pragma: no cover - numpy is a dependency
        np = None

    def num(x):
        if math.isnan(x):
            return "nan"
        if math.isinf(x):
            return "inf" if x > 0 else "-inf"
        return x

    kind = type(value)  # the real class: not value.__class__, which a learner's class may fake
    tname = kind.__name__[:100]
    numpy_scalar = np is not None and kind.__module__ == "numpy" and issubclass(kind, np.generic)
    try:
        if value is Ellipsis:
            return {"t": "ellipsis"}
        if value is None:
            return {"t": "none"}
        if kind is bool or (numpy_scalar and issubclass(kind, np.bool_)):
            return {"t": "bool", "v": bool(value), "type": "bool" if kind is bool else "numpy.bool_"}
        if kind is str:
            return {"t": "str", "v": value[:200_000], "n": len(value)}
        if np is not None and kind is np.ndarray:
            out = {"t": "ndarray", "shape": [int(s) for s in value.shape], "dtype": value.dtype.str}
            if value.ndim == 0 and value.dtype.kind in "iuf":
                out["v"] = num(float(value))
            return out
        if kind is int:
            if value.bit_length() > 1000:  # beyond any float, and too long to print (Python's 4300-digit limit)
                return {"t": "number", "v": "inf" if value > 0 else "-inf", "type": "int",
                        "repr": f"an integer of about {int(value.bit_length() * 0.30103) + 1} digits"}
            return {"t": "number", "v": num(float(value)), "type": "int", "repr": repr(value)}
        if kind in (float, fractions.Fraction, decimal.Decimal) or (
                numpy_scalar and issubclass(kind, np.integer | np.floating)):
            try:
                x = float(value)
            except OverflowError:
                x = math.inf if value > 0 else -math.inf
            return {"t": "number", "v": num(x), "type": tname, "repr": repr(value)[:1000]}
        if kind is complex or (numpy_scalar and issubclass(kind, np.complexfloating)):
            c = complex(value)
            return {"t": "complex", "v": [num(c.real), num(c.imag)]}
        if kind in (list, tuple, dict, set, frozenset):
            return {"t": kind.__name__, "n": len(value), "type": tname}
    except Exception:  # a value that cannot be described (e.g. an overflowing Decimal) is given by its type
        pass
    return {"t": "other", "type": tname}


class _Missing:
    """The value of a variable that is not defined in the notebook."""

    _instance = None

    def __new__(cls):
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "MISSING"

    def __bool__(self) -> bool:
        return False


MISSING = _Missing()


def _num(v) -> float:
    return float(v)  # float("nan"), float("inf"), float("-inf") parse the encoded strings


def _named(base: type, name: str | None) -> type:
    """``base``, or a subclass of it called ``name`` (so messages name the learner's own type)."""
    if not name or name == base.__name__:
        return base
    return type(name, (base,), {})


def decode_value(enc: dict) -> Any:
    """Rebuild a stand-in for an encoded value, one that :func:`caselab.grading.check_answer` judges
    exactly as it would judge the original: a list of 3 items for a list of length 3, an array of the
    same shape (zero-strided, no memory), an instance of a class of the same name for anything else.
    ``{"t": "missing"}`` becomes :data:`MISSING`."""
    import numpy as np

    t = enc.get("t")
    if t == "missing":
        return MISSING
    if t == "ellipsis":
        return Ellipsis
    if t == "none":
        return None
    if t == "bool":
        return np.bool_(enc["v"]) if enc.get("type") == "numpy.bool_" else bool(enc["v"])
    if t == "str":
        return str(enc["v"])
    if t == "number":
        x = _num(enc["v"])
        shown = enc.get("repr")
        if shown is not None and shown != repr(x):  # 3, np.float32(0.25): shown as the learner wrote it
            return type("float", (float,), {"__repr__": lambda self: shown})(x)
        return x
    if t == "complex":
        re_, im = enc["v"]
        return complex(_num(re_), _num(im))
    if t == "ndarray":
        dtype = np.dtype(enc.get("dtype", "<f8"))
        if "v" in enc:
            return np.array(_num(enc["v"])).astype(dtype)
        try:
            return np.broadcast_to(np.zeros((), dtype=dtype), tuple(enc["shape"]))
        except (TypeError, ValueError):
            return np.broadcast_to(np.zeros(()), tuple(enc["shape"]))
    n = int(enc.get("n", 0))
    if t == "list":
        return _named(list, enc.get("type"))([None] * n)
    if t == "tuple":
        return _named(tuple, enc.get("type"))([None] * n)
    if t == "dict":
        return _named(dict, enc.get("type"))((i, None) for i in range(n))
    if t == "set":
        return _named(set, enc.get("type"))(range(n))
    if t == "frozenset":
        return _named(frozenset, enc.get("type"))(range(n))
    return type(str(enc.get("type") or "object"), (), {"__repr__": lambda self: f"<{type(self).__name__}>"})()


# Read once, at import: the source must match the function this process runs (reading it later would
# pick up an edited file — an editable install being changed — with shifted lines).
_ENCODE_SOURCE = inspect.getsource(encode_value)


def _collector_source(names: Sequence[str]) -> str:
    """The cell the grader runs last: every question's value, encoded, as one display output."""
    encode_src = _ENCODE_SOURCE
    return (
        "def __caselab_collect__(names):\n"
        + "\n".join("    " + line if line else "" for line in encode_src.splitlines())
        + "\n"
        "    import IPython\n"
        "    import IPython.display\n"
        "    ns = IPython.get_ipython().user_ns\n"
        "    values = {n: (encode_value(ns[n]) if n in ns else {'t': 'missing'}) for n in names}\n"
        "    defined = sorted(k for k in list(ns) if isinstance(k, str) and k.isidentifier()\n"
        "                     and not k.startswith('_'))[:5000]\n"
        f"    IPython.display.display({{{VALUES_MIME!r}: {{'values': values, 'defined': defined}}}}, raw=True)\n"
        f"__caselab_collect__({list(names)!r})\n"
        "del __caselab_collect__\n"
    )
