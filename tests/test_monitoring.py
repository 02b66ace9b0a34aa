"""Tests for caselab.monitoring: PSI by hand and via scipy's KL divergence, O/E, schema checks."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.special import rel_entr
from scipy.stats import entropy

from caselab.maths.monitoring import (
    ColumnSpec,
    Violation,
    check_schema,
    observed_to_expected,
    oe_alert,
    psi,
    psi_contributions,
    psi_from_samples,
    psi_level,
)

FAST = settings(max_examples=60, deadline=None)
DECILES = [0.1] * 10


# --------------------------------------------------------------------------- PSI examples
def test_psi_amount_example():
    actual = [0.08, 0.09] + [0.10] * 6 + [0.11, 0.12]
    # (−.02)ln(.8) + (−.01)ln(.9) + 0 + (.01)ln(1.1) + (.02)ln(1.2)
    # = .004463 + .001054 + .000953 + .003646 = .010116
    hand = -0.02 * math.log(0.8) - 0.01 * math.log(0.9) + 0.01 * math.log(1.1) + 0.02 * math.log(1.2)
    assert psi(DECILES, actual) == pytest.approx(hand)
    assert round(psi(DECILES, actual), 4) == 0.0101
    assert psi_level(psi(DECILES, actual)) == "stable"


def test_psi_account_age_example():
    actual = [0.20, 0.16, 0.13, 0.11, 0.09, 0.08, 0.07, 0.06, 0.05, 0.05]
    hand = sum((a - 0.1) * math.log(a / 0.1) for a in actual)
    # first terms: .1·ln 2 = .0693, .06·ln 1.6 = .0282, .03·ln 1.3 = .0079, … total .2123
    assert psi(DECILES, actual) == pytest.approx(hand)
    assert round(psi(DECILES, actual), 4) == 0.2123
    assert psi_level(psi(DECILES, actual)) == "moderate"


def test_psi_device_new_category_example():
    base = [0.55, 0.40, 0.05, 0.0]
    now = [0.45, 0.35, 0.05, 0.15]
    terms = psi_contributions(base, now, eps=1e-4)
    # (−.10)ln(.45/.55) = .02007 ; (−.05)ln(.35/.40) = .00668 ; 0 ;
    # new category: baseline 0 → ε = 1e-4: (.15 − .0001)·ln(.15/.0001) = .1499·ln 1500 = 1.09625
    np.testing.assert_allclose(
        terms,
        [-0.10 * math.log(0.45 / 0.55), -0.05 * math.log(0.35 / 0.40), 0.0, 0.1499 * math.log(1500)],
    )
    assert psi(base, now) == pytest.approx(terms.sum())
    assert round(psi(base, now), 2) == 1.12
    assert psi_level(psi(base, now)) == "major"
    # the answer depends on ε: with 1e-6 the new bin gives .149999·ln(150,000) ≈ 1.788
    assert psi(base, now, eps=1e-6) == pytest.approx(
        0.02007 + 0.00668 + 0.149999 * math.log(150_000), abs=1e-4
    )


def test_psi_is_symmetrised_kl():
    e = np.array([0.3, 0.5, 0.2])
    a = np.array([0.25, 0.45, 0.30])
    # Σ(a − e)ln(a/e) = KL(a‖e) + KL(e‖a)
    assert psi(e, a) == pytest.approx(entropy(a, e) + entropy(e, a))


@FAST
@given(
    st.lists(st.floats(0.0, 1.0), min_size=2, max_size=12),
    st.lists(st.floats(0.0, 1.0), min_size=12, max_size=12),
)
def test_psi_nonnegative_zero_iff_identical(e_raw, a_raw):
    e = np.array(e_raw)
    a = np.array(a_raw[: len(e_raw)])
    if e.sum() == 0 or a.sum() == 0:
        return
    e, a = e / e.sum(), a / a.sum()
    assert psi(e, a) >= 0
    assert np.all(psi_contributions(e, a) >= 0)
    assert psi(e, e) == 0.0
    assert psi(e, a) == pytest.approx(psi(a, e))  # symmetric
    # equals scipy's rel_entr-based symmetrised KL after the same ε floor
    ef, af = np.maximum(e, 1e-4), np.maximum(a, 1e-4)
    assert psi(e, a) == pytest.approx(np.sum(rel_entr(af, ef) + rel_entr(ef, af)), abs=1e-12)


# --------------------------------------------------------------------------- PSI from samples
def test_psi_from_samples_identical_and_shifted():
    rng = np.random.default_rng(0)
    base = rng.normal(size=20_000)
    same = psi_from_samples(base, base)
    assert same.psi == 0.0
    np.testing.assert_allclose(same.expected, 0.1)  # decile bins from the baseline
    assert same.edges[0] == -np.inf and same.edges[-1] == np.inf
    # a half-sigma shift: PSI of N(μ,1) vs N(0,1) tends to μ² for fine bins (KL sum = μ²/2 + μ²/2);
    # 10 decile bins capture most of it: about 0.23
    shifted = psi_from_samples(base, rng.normal(0.5, 1, size=20_000))
    assert 0.18 < shifted.psi < 0.25
    # same fractions as computing the bins by hand with np.quantile and right-closed bins
    inner = np.quantile(base, np.linspace(0, 1, 11)[1:-1])
    cur = rng.normal(0.2, 1, size=5_000)
    hand_actual = np.bincount(np.searchsorted(inner, cur, side="left"), minlength=10) / cur.size
    np.testing.assert_allclose(psi_from_samples(base, cur).actual, hand_actual)


def test_psi_from_samples_ties_merge_edges():
    base = np.r_[np.zeros(700), np.arange(1, 301)]  # 70 % zeros: several deciles coincide at 0
    res = psi_from_samples(base, base)
    assert len(res.expected) < 10
    assert res.expected[0] == pytest.approx(0.7)
    assert res.expected.sum() == pytest.approx(1.0)


def test_dollars_to_cents_incident():
    rng = np.random.default_rng(1)
    dollars = np.round(rng.lognormal(3.5, 1.2, size=20_000), 2)
    now_dollars = np.round(rng.lognormal(3.5, 1.2, size=20_000), 2)
    cents = now_dollars * 100
    assert psi_level(psi_from_samples(dollars, now_dollars).psi) == "stable"
    broken = psi_from_samples(dollars, cents)
    assert broken.actual[-1] > 0.99  # nearly everything lands in the top baseline decile
    # lower bound by hand: the top bin alone gives (a − .1)ln(a/.1) with a ≥ .99 → ≥ .89·ln 9.9 ≈ 2.04;
    # the nine near-empty bins add ≈ .1·ln(.1/ε) = .69 each
    assert broken.psi > 0.89 * math.log(9.9) + 9 * 0.0999 * math.log(0.1 / 0.0011)
    assert psi_level(broken.psi) == "major"
    spec = [ColumnSpec("amount", min_value=0, max_value=5_000)]
    assert check_schema({"amount": dollars[:1000]}, spec) == []
    v = check_schema({"amount": cents[:1000]}, spec)
    assert [x.kind for x in v] == ["out_of_range"]
    assert "lie outside [0, 5000]" in v[0].detail


# --------------------------------------------------------------------------- levels and O/E
@pytest.mark.parametrize(
    "value, level",
    [
        (0.0, "stable"),
        (0.0999, "stable"),
        (0.1, "moderate"),
        (0.2499, "moderate"),
        (0.25, "major"),
        (3.0, "major"),
    ],
)
def test_psi_level_boundaries(value, level):
    assert psi_level(value) == level


def test_observed_to_expected_example():
    oe = observed_to_expected(0.015, 0.021)
    assert oe == pytest.approx(15 / 21)  # 0.7143
    assert round(oe, 3) == 0.714
    assert oe_alert(oe)  # below 0.8
    assert not oe_alert(1.0)
    assert not oe_alert(0.8) and not oe_alert(1.25)  # band is inclusive
    assert oe_alert(1.3)
    # counts give the same ratio: 150 frauds observed, Σp = 210 over 10,000 transactions
    assert observed_to_expected(150, 210) == pytest.approx(oe)


# --------------------------------------------------------------------------- schema
SCHEMA = [
    ColumnSpec("amount", "numeric", min_value=0, max_value=10_000, max_null_rate=0.0),
    ColumnSpec(
        "device", "categorical", categories={"ios", "android", "web"}, max_unknown_rate=0.1, max_null_rate=0.4
    ),
    ColumnSpec("age_days", "numeric", min_value=0),
]


def test_schema_clean_batch_dict_and_rows():
    cols = {"amount": [12.5, 300.0, 7], "device": ["ios", "web", None], "age_days": np.array([1, 40, 365])}
    assert check_schema(cols, SCHEMA) == []
    rows = [
        {"amount": 12.5, "device": "ios", "age_days": 1},
        {"amount": 300.0, "device": "web", "age_days": 40},
        {"amount": 7, "age_days": 365, "extra": "ignored"},  # device absent from this row → missing
    ]
    assert check_schema(rows, SCHEMA) == []


def test_schema_every_violation_kind():
    rows = [
        {"amount": 12.5, "device": "ios"},
        {"amount": -3.0, "device": "tablet"},
        {"amount": "15.00", "device": 7},
        {"amount": None, "device": "android"},
        {"amount": float("nan"), "device": "ios"},
    ]
    v = check_schema(rows, SCHEMA)
    kinds = [(x.column, x.kind) for x in v]
    assert kinds == [
        ("amount", "null_rate"),  # 2 of 5 missing (None and NaN), allowed 0
        ("amount", "dtype"),  # "15.00" is a string
        ("amount", "out_of_range"),  # −3
        ("device", "dtype"),  # 7 is not a string
        ("device", "unknown_category"),  # "tablet": 1 of 5 present values = 20 % > 10 %
        ("age_days", "missing_column"),
    ]
    assert "40.0% of rows are missing (2 of 5)" in v[0].detail
    assert "'15.00' of type str" in v[1].detail
    assert "['tablet']" in v[4].detail
    assert all(isinstance(x, Violation) for x in v)


def test_schema_tolerances():
    spec = [ColumnSpec("c", "categorical", categories={"a"}, max_unknown_rate=0.5, max_null_rate=0.5)]
    assert check_schema({"c": ["a", "b", None]}, spec) == []  # 1/2 unknown, 1/3 null: within limits
    assert [x.kind for x in check_schema({"c": ["b", "b", "a"]}, spec)] == ["unknown_category"]
    assert check_schema({"c": []}, spec) == []  # an empty batch has no rates to violate


# --------------------------------------------------------------------------- validation
def test_psi_validation_messages():
    with pytest.raises(ValueError, match="expected_fractions sums to 0.5, not 1: pass bin fractions"):
        psi([0.25, 0.25], [0.5, 0.5])
    with pytest.raises(ValueError, match="actual_fractions must hold finite, non-negative fractions"):
        psi([0.5, 0.5], [1.5, -0.5])
    with pytest.raises(ValueError, match="expected_fractions has 2 bins but actual_fractions has 3"):
        psi([0.5, 0.5], [0.2, 0.3, 0.5])
    with pytest.raises(ValueError, match="non-empty 1-d array"):
        psi([], [])
    with pytest.raises(ValueError, match=r"eps = 0.0 is outside \(0, 1\)"):
        psi([0.5, 0.5], [0.5, 0.5], eps=0)
    with pytest.raises(ValueError, match="n_bins = 1 must be at least 2"):
        psi_from_samples([1, 2, 3], [1, 2], n_bins=1)
    with pytest.raises(TypeError, match="n_bins must be an integer"):
        psi_from_samples([1, 2, 3], [1, 2], n_bins=2.0)
    with pytest.raises(ValueError, match="current_values contains 1 NaN"):
        psi_from_samples([1, 2, 3], [1, float("nan")])
    with pytest.raises(ValueError, match="psi = -0.1 is negative"):
        psi_level(-0.1)
    with pytest.raises(ValueError, match="psi must be a finite number"):
        psi_level(float("inf"))


def test_oe_and_schema_validation_messages():
    with pytest.raises(ValueError, match="predicted_rate = 0: nothing was expected"):
        observed_to_expected(0.01, 0.0)
    with pytest.raises(ValueError, match="observed_rate = -0.01 is negative"):
        observed_to_expected(-0.01, 0.02)
    with pytest.raises(ValueError, match="predicted_rate must be a finite number"):
        observed_to_expected(0.01, float("nan"))
    with pytest.raises(ValueError, match="0 < lower < 1 < upper"):
        oe_alert(1.0, lower=1.1, upper=1.25)
    with pytest.raises(ValueError, match="ratio = -1 is negative"):
        oe_alert(-1)
    with pytest.raises(ValueError, match="dtype must be one of"):
        ColumnSpec("x", dtype="string")
    with pytest.raises(ValueError, match="min_value = 5 exceeds max_value = 1"):
        ColumnSpec("x", min_value=5, max_value=1)
    with pytest.raises(ValueError, match="categories apply to categorical columns only"):
        ColumnSpec("x", categories={"a"})
    with pytest.raises(ValueError, match="min_value/max_value apply to numeric columns only"):
        ColumnSpec("x", "categorical", max_value=3)
    with pytest.raises(ValueError, match=r"max_null_rate = 2.0 is outside \[0, 1\]"):
        ColumnSpec("x", max_null_rate=2.0)
    with pytest.raises(ValueError, match="name must be a non-empty string"):
        ColumnSpec("")
    with pytest.raises(ValueError, match=r"columns have different lengths \[1, 2\]"):
        check_schema({"a": [1], "b": [1, 2]}, SCHEMA)
    with pytest.raises(ValueError, match="rows must all be dicts"):
        check_schema([{"a": 1}, [1]], SCHEMA)
    with pytest.raises(TypeError, match="data must be a dict of columns or a list of row dicts"):
        check_schema(42, SCHEMA)
    with pytest.raises(TypeError, match="schema must be a sequence of ColumnSpec"):
        check_schema({"a": [1]}, [{"name": "a"}])


# --------------------------------------------------------------------------- exploration (feedback loops)
def test_exploration_recall_by_hand():
    from caselab.maths.monitoring import ExplorationRecall, exploration_recall

    est = exploration_recall(740, 22, 0.02)
    assert isinstance(est, ExplorationRecall)
    # F̂N = 22 / 0.02 = 1,100; recall = 740 / 1,840 = 0.40217
    assert est.fn_estimate == pytest.approx(1_100)
    assert est.recall == pytest.approx(740 / 1_840)
    # SE = 740·√(1,100·0.98/0.02) / 1,840² = 740·232.16 / 3,385,600 = 0.05074
    assert est.se == pytest.approx(740 * math.sqrt(1_100 * 0.98 / 0.02) / 1_840**2)
    assert round(est.se, 4) == 0.0507


def test_exploration_recall_unbiased_and_delta_method_by_simulation():
    from caselab.maths.monitoring import exploration_recall

    tp, fn, eps = 740, 1_179, 0.05
    rng = np.random.default_rng(7)
    x = rng.binomial(fn, eps, size=200_000)  # explored misses, day after day
    fn_hat = x / eps
    assert fn_hat.mean() == pytest.approx(fn, rel=0.003)  # Horvitz–Thompson: unbiased
    assert fn_hat.var() == pytest.approx(fn * (1 - eps) / eps, rel=0.02)  # Var = FN(1 − ε)/ε
    recall = tp / (tp + fn_hat)
    se_at_truth = exploration_recall(tp, fn * eps, eps).se
    assert recall.std() == pytest.approx(se_at_truth, rel=0.05)  # X ≈ 59: the delta method is good here
    # the delta method's derivative, numerically: d recall / d FN = −TP/(TP + FN)²
    h = 1e-3
    deriv = (tp / (tp + fn + h) - tp / (tp + fn - h)) / (2 * h)
    assert se_at_truth == pytest.approx(abs(deriv) * math.sqrt(fn * (1 - eps) / eps), rel=1e-6)


def test_exploration_recall_edge_cases_and_messages():
    from caselab.maths.monitoring import exploration_recall

    # no explored miss: recall 1 with SE 0 (the delta method says nothing there)
    assert tuple(exploration_recall(50, 0, 0.1)) == (0.0, 1.0, 0.0)
    # everything reviewed: F̂N = X exactly, SE 0
    est = exploration_recall(30, 10, 1.0)
    assert (est.fn_estimate, est.recall, est.se) == (10.0, 0.75, 0.0)
    assert exploration_recall(0, 5, 0.5).recall == 0.0
    with pytest.raises(ValueError, match="tp = 0 and explored_positives = 0: no positive was seen"):
        exploration_recall(0, 0, 0.1)
    with pytest.raises(ValueError, match="explored_positives = -1 is negative"):
        exploration_recall(10, -1, 0.1)
    with pytest.raises(ValueError, match=r"exploration = 0.0 is outside \(0, 1\]"):
        exploration_recall(10, 1, 0.0)
    with pytest.raises(ValueError, match="tp must be a finite number"):
        exploration_recall(float("nan"), 1, 0.1)


def test_exploration_rate_for_recall_se_inverts_the_se():
    from scipy.optimize import brentq

    from caselab.maths.monitoring import exploration_rate_for_recall_se, exploration_recall

    tp, fn, target = 740, 1_100, 0.02
    eps = exploration_rate_for_recall_se(tp, fn, target)
    # by hand: 1 / (1 + 0.02²·1,840⁴ / (740²·1,100)) = 1 / (1 + 4.5849e9 / 6.0236e8) = 1 / 8.6116 = 0.11612
    assert eps == pytest.approx(1 / (1 + 0.0004 * 1_840**4 / (740**2 * 1_100)))
    assert round(eps, 4) == 0.1161
    # the SE at that ε (same F̂N, so X = F̂N·ε) is the target …
    assert exploration_recall(tp, fn * eps, eps).se == pytest.approx(target)
    # … and a root finder on SE(ε) − target agrees
    root = brentq(lambda e: exploration_recall(tp, fn * e, e).se - target, 1e-6, 1 - 1e-9)
    assert eps == pytest.approx(root, rel=1e-9)
    # the SE falls like 1/√ε: a quarter of the target SE needs ≈ 16× the exploration (when ε is small)
    small = exploration_rate_for_recall_se(tp, fn, 0.2)
    assert exploration_rate_for_recall_se(tp, fn, 0.05) / small == pytest.approx(16, rel=0.1)
    assert exploration_rate_for_recall_se(tp, 0, target) == 0.0  # no miss estimated: no guidance
    with pytest.raises(ValueError, match="target_se = 0.0 must be > 0"):
        exploration_rate_for_recall_se(tp, fn, 0)
    with pytest.raises(ValueError, match="fn_estimate = -3 is negative"):
        exploration_rate_for_recall_se(tp, -3, target)


# --------------------------------------------------------------------------- schema: counts, rates, speed
def test_schema_violation_counts_and_rates():
    rows = [
        {"amount": 12.5, "device": "ios"},
        {"amount": -3.0, "device": "tablet"},
        {"amount": "15.00", "device": 7},
        {"amount": None, "device": "android"},
        {"amount": float("nan"), "device": "ios"},
    ]
    got = {(v.column, v.kind): (v.count, v.total, v.rate) for v in check_schema(rows, SCHEMA)}
    assert got == {
        ("amount", "null_rate"): (2, 5, 0.4),  # None and NaN, of all 5 rows
        ("amount", "dtype"): (1, 3, 1 / 3),  # "15.00", of the 3 present values
        ("amount", "out_of_range"): (1, 2, 0.5),  # −3, of the 2 numbers
        ("device", "dtype"): (1, 5, 0.2),  # 7, of 5 present values
        ("device", "unknown_category"): (1, 5, 0.2),  # "tablet"
        ("age_days", "missing_column"): (5, 5, 1.0),
    }
    # the old three-field form still constructs (numbers left as None)
    v = Violation("amount", "dtype", "text")
    assert (v.count, v.total, v.rate) == (None, None, None)


def test_schema_rate_equal_to_the_limit_passes():
    # 1 missing of 3 is exactly 1/3: not *above* max_null_rate = 1/3
    spec = [ColumnSpec("c", max_null_rate=1 / 3)]
    assert check_schema({"c": [1.0, 2.0, None]}, spec) == []
    assert check_schema({"c": np.array([1.0, np.nan, np.nan])}, spec)[0].count == 2


def _reference_check(cols: dict, schema) -> list[tuple]:
    """The checks written out value by value, in plain Python (the oracle for the vectorised code)."""

    def is_null(v):
        return v is None or (isinstance(v, float | np.floating) and math.isnan(v))

    def is_number(v):
        return isinstance(v, int | float | np.integer | np.floating) and not isinstance(v, bool | np.bool_)

    out = []
    for s in schema:
        if s.name not in cols:
            n = len(next(iter(cols.values()))) if cols else 0
            out.append((s.name, "missing_column", n, n))
            continue
        values = list(cols[s.name])
        present = [v for v in values if not is_null(v)]
        if values and (len(values) - len(present)) / len(values) > s.max_null_rate:
            out.append((s.name, "null_rate", len(values) - len(present), len(values)))
        if s.dtype == "numeric":
            bad = [v for v in present if not is_number(v)]
            if bad:
                out.append((s.name, "dtype", len(bad), len(present)))
            nums = [float(v) for v in present if is_number(v)]
            lo = -math.inf if s.min_value is None else s.min_value
            hi = math.inf if s.max_value is None else s.max_value
            outside = [v for v in nums if v < lo or v > hi]
            if outside:
                out.append((s.name, "out_of_range", len(outside), len(nums)))
        else:
            bad = [v for v in present if not isinstance(v, str)]
            if bad:
                out.append((s.name, "dtype", len(bad), len(present)))
            if s.categories is not None and present:
                unknown = [v for v in present if isinstance(v, str) and v not in s.categories]
                if len(unknown) / len(present) > s.max_unknown_rate:
                    out.append((s.name, "unknown_category", len(unknown), len(present)))
    return out


_CELL = st.one_of(
    st.none(),
    st.just(float("nan")),
    st.floats(-50, 50, allow_nan=False),
    st.integers(-50, 50),
    st.sampled_from(["ios", "web", "tablet", "12.5", True, b"ios", np.float32(3.5), np.int64(-7), np.str_("web")]),
)
_SCHEMA_FUZZ = [
    ColumnSpec("x", min_value=-10, max_value=10, max_null_rate=0.2),
    ColumnSpec("x", "categorical", categories={"ios", "web"}, max_unknown_rate=0.25, max_null_rate=0.5),
    ColumnSpec("y", "categorical"),
]


@FAST
@given(st.lists(_CELL, max_size=30), st.sampled_from(["list", "object array", "numpy", "rows"]))
def test_schema_matches_the_value_by_value_reference(cells, form):
    if form == "numpy":  # a homogeneous NumPy column of the same values, where one exists
        floats = [c for c in cells if isinstance(c, float | int) and not isinstance(c, bool)]
        column = np.array(floats, dtype=np.float64)
        cells = column.tolist()
    elif form == "object array":
        column = np.empty(len(cells), dtype=object)
        column[:] = cells
    else:
        column = cells
    data = [{"x": c} for c in cells] if form == "rows" else {"x": column}
    got = [(v.column, v.kind, v.count, v.total) for v in check_schema(data, _SCHEMA_FUZZ)]
    # no rows at all: the row form cannot tell that column x exists
    assert got == _reference_check({} if form == "rows" and not cells else {"x": cells}, _SCHEMA_FUZZ)
    for v in check_schema(data, _SCHEMA_FUZZ):
        assert v.rate == pytest.approx(v.count / v.total if v.total else 1.0)


def test_schema_numpy_columns_are_not_read_value_by_value(monkeypatch):
    import caselab.maths.monitoring as mon

    def boom(t):
        raise AssertionError(f"per-type classification reached for {t}")

    monkeypatch.setattr(mon, "_class_of", boom)
    rng = np.random.default_rng(0)
    n = 100_000
    amount = rng.lognormal(3.5, 1.2, n) * 100
    amount[::1_000] = np.nan
    cols = {
        "amount": amount,
        "device": rng.choice(np.array(["ios", "android", "web", "tablet"]), n, p=[0.5, 0.3, 0.19, 0.01]),
        "age_days": rng.integers(0, 3_000, n),
    }
    schema = [
        ColumnSpec("amount", min_value=0, max_value=10_000),
        ColumnSpec("device", "categorical", categories={"ios", "android", "web"}),
        ColumnSpec("age_days", min_value=0, max_value=2_000),
    ]
    v = {x.kind + ":" + x.column: x for x in check_schema(cols, schema)}
    assert v["null_rate:amount"].count == 100 and v["null_rate:amount"].rate == pytest.approx(0.001)
    ok = amount[~np.isnan(amount)]
    assert v["out_of_range:amount"].count == np.sum(ok > 10_000) and v["out_of_range:amount"].total == ok.size
    assert v["unknown_category:device"].count == np.sum(cols["device"] == "tablet")
    assert "(e.g. ['tablet'])" in v["unknown_category:device"].detail
    assert v["out_of_range:age_days"].count == np.sum(cols["age_days"] > 2_000)
    assert "seen min 0, max 2999" in v["out_of_range:age_days"].detail


def test_schema_numpy_dtypes_and_shapes():
    spec = [ColumnSpec("a"), ColumnSpec("d", "categorical", categories={"ios"})]
    v = check_schema({"a": np.array([True, False]), "d": np.array(["ios", "web"])}, spec)
    assert [(x.kind, x.count) for x in v] == [("dtype", 2), ("unknown_category", 1)]
    assert "(e.g. True of type bool)" in v[0].detail  # a Python value in the text, as for lists
    v = check_schema({"a": np.array(["1.5"]), "d": np.array([1.0, np.nan])[:1]}, spec)
    assert "(e.g. '1.5' of type str)" in v[0].detail and "(e.g. 1.0 of type float)" in v[1].detail
    with pytest.raises(ValueError, match=r"column 'a' must be 1-d \(one value per row\); got an array of shape"):
        check_schema({"a": np.zeros((2, 2))}, spec)
