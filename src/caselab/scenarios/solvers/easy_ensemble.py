"""Random undersampling and EasyEnsemble: how much of the majority class do k balanced subsets see?

Each balanced learner keeps all positives and m of the N negatives, drawn afresh. A given negative is
missed by one subset with probability 1 − m/N and by all k with (1 − m/N)^k, so

    coverage(k) = 1 − (1 − m/N)^k          (not k·m/N: the subsets overlap)

With 99,000 negatives and subsets of 1,000: 10 subsets see 9.65%, 99 subsets see only 63.4% (about
1 − 1/e), 95% needs ⌈ln 0.05 / ln(1 − m/N)⌉ = 296 subsets — while 99 *disjoint* subsets see all. The
seed article's "recovers the lost information through bagging" holds only with enough (or disjoint)
subsets. An empirical check draws the subsets with imbalanced-learn's ``RandomUnderSampler``.
"""

from __future__ import annotations

import math

import numpy as np
from imblearn.under_sampling import RandomUnderSampler

from caselab.maths.imbalance import disjoint_subsets, easy_ensemble_coverage, subsets_for_coverage
from caselab.scenarios.solvers import Answer, Solution, distinct_mistakes
from caselab.scenarios.spec import DEFAULT_TOLERANCE, Given, Tolerance

GIVENS = {
    "n_pos": Given("positives (all kept in every subset)", kind="integer", lo=1),
    "n_neg": Given("negatives", kind="integer", lo=1),
    "subset_size": Given("negatives drawn for each balanced learner", kind="integer", lo=1),
    "n_models": Given("learners in the team's default EasyEnsemble", kind="integer", lo=1),
    "n_models_large": Given("learners in the bigger ensemble someone proposes", kind="integer", lo=1),
    "coverage_target": Given("share of negatives the ensemble should see at least once", kind="rate",
                             lo_open=True, hi_open=True),
    "seed": Given("random_state of the first RandomUnderSampler (the i-th uses seed + i)", kind="integer", lo=0),
}

ANSWERS = {"coverage_one", "coverage_default", "coverage_large", "expected_unseen_default", "subsets_needed",
           "disjoint_needed", "empirical_coverage_default", "recovers_information", "full_coverage_design"}

# the specs' tolerances, for distinct_mistakes (tests/test_solvers.py checks they match)
TOLERANCE = {"coverage_one": Tolerance(abs=0.0005), "coverage_default": Tolerance(abs=0.0005),
             "coverage_large": Tolerance(abs=0.0005), "expected_unseen_default": Tolerance(abs=1),
             "subsets_needed": DEFAULT_TOLERANCE["count"], "disjoint_needed": DEFAULT_TOLERANCE["count"],
             "empirical_coverage_default": Tolerance(abs=0.0005)}

RECOVERS = ["yes: bagging over the subsets uses the discarded negatives",
            "no: too many negatives are never seen by any learner"]
DESIGNS = ["draw more random subsets until every negative is covered",
           "partition the shuffled negatives into disjoint subsets", "use bigger subsets with replacement"]

DATA_CODE = """\
import numpy as np
from imblearn.under_sampling import RandomUnderSampler

y = np.r_[np.ones(n_pos, dtype=int), np.zeros(n_neg, dtype=int)]
X = np.arange(len(y)).reshape(-1, 1)   # a row id is all we need: which negatives does each subset keep?
ratio = n_pos / subset_size            # sampling_strategy = N_pos / N_neg after sampling
print(f"{n_pos:,} positives, {n_neg:,} negatives; each learner sees {subset_size:,} negatives")"""

SETUP_CODE = """\
def negatives_kept(i):
    X_s, y_s = RandomUnderSampler(sampling_strategy=ratio, random_state=seed + i).fit_resample(X, y)
    return X_s[y_s == 0, 0]"""


def empirical_coverage(givens: dict, k: int) -> float:
    """Share of negatives kept by at least one of k RandomUnderSampler draws (seeds seed, …, seed + k − 1)."""
    g = givens
    y = np.r_[np.ones(g["n_pos"], dtype=int), np.zeros(g["n_neg"], dtype=int)]
    X = np.arange(y.size).reshape(-1, 1)
    seen = np.zeros(y.size, dtype=bool)
    for i in range(k):
        X_s, y_s = RandomUnderSampler(sampling_strategy=g["n_pos"] / g["subset_size"],
                                      random_state=g["seed"] + i).fit_resample(X, y)
        seen[X_s[y_s == 0, 0]] = True
    return float(seen[g["n_pos"]:].mean())


def solve(givens: dict) -> Solution:
    g = givens
    n, m, k, k2 = g["n_neg"], g["subset_size"], g["n_models"], g["n_models_large"]
    if m > n:
        raise ValueError("subset_size cannot exceed n_neg.")
    if g["n_pos"] > m:
        raise ValueError("the subsets must hold at least as many negatives as there are positives "
                         "(sampling_strategy = n_pos / subset_size ≤ 1).")
    a: dict[str, Answer] = {}
    q = m / n

    def cov_answer(key: str, kk: int, name: str) -> None:
        c = easy_ensemble_coverage(n, m, kk)
        a[key] = Answer(
            c, formula="coverage = 1 − (1 − m/N)^k",
            work=f"1 − (1 − {m:,}/{n:,})^{kk} = {c:.4f}",
            code=f"{key} = caselab.imbalance.easy_ensemble_coverage(n_neg, subset_size, {name})",
            # one subset cannot overlap another: there k·m/N is the answer, not a mistake
            mistakes=distinct_mistakes(c, {"k·m/N (subsets assumed never to overlap)": min(1.0, kk * q)},
                                       TOLERANCE[key]) if kk > 1 else {})

    cov_answer("coverage_one", 1, "1")
    cov_answer("coverage_default", k, "n_models")
    cov_answer("coverage_large", k2, "n_models_large")
    unseen = n * (1 - q) ** k
    a["expected_unseen_default"] = Answer(
        unseen, formula="E[negatives never drawn] = N·(1 − m/N)^k",
        work=f"{n:,}·(1 − {q:.5f})^{k} = {unseen:,.0f}",
        code="expected_unseen_default = n_neg * (1 - subset_size / n_neg) ** n_models",
        depends_on=("coverage_default",), recompute=lambda v: n * (1 - v["coverage_default"]),
        mistakes=distinct_mistakes(unseen, {"N − k·m (no overlap)": max(0.0, n - k * m)},
                                   TOLERANCE["expected_unseen_default"]))
    need = subsets_for_coverage(n, m, g["coverage_target"])
    a["subsets_needed"] = Answer(
        float(need), formula="k = ⌈ln(1 − c) / ln(1 − m/N)⌉",
        work=f"ln(1 − {g['coverage_target']:g}) / ln(1 − {q:.5f}) = "
             f"{math.log1p(-g['coverage_target']) / math.log1p(-q):.2f} → {need}",
        code="subsets_needed = caselab.imbalance.subsets_for_coverage(n_neg, subset_size, coverage_target)",
        mistakes=distinct_mistakes(float(need), {"c·N/m (no overlap)": float(math.ceil(g["coverage_target"] * n / m)),
                                                 "rounded down instead of up": float(need - 1)},
                                   TOLERANCE["subsets_needed"]))
    dis = disjoint_subsets(n, m)
    a["disjoint_needed"] = Answer(
        float(dis), formula="⌈N / m⌉ disjoint subsets use every negative exactly once",
        work=f"⌈{n:,} / {m:,}⌉ = {dis}",
        code="disjoint_needed = caselab.imbalance.disjoint_subsets(n_neg, subset_size)",
        mistakes=distinct_mistakes(float(dis), {"the random-subset count for the coverage target": float(need)},
                                   TOLERANCE["disjoint_needed"]))
    emp = empirical_coverage(g, k)
    a["empirical_coverage_default"] = Answer(
        emp, formula="share of negatives kept by at least one of the k RandomUnderSampler draws",
        work=f"{emp:.4f} observed vs {a['coverage_default'].value:.4f} expected",
        code="seen = np.unique(np.concatenate([negatives_kept(i) for i in range(n_models)]))\n"
             "empirical_coverage_default = len(seen) / n_neg",
        mistakes=distinct_mistakes(emp, {"k·m/N (no overlap)": min(1.0, k * q)},
                                   TOLERANCE["empirical_coverage_default"]))
    recovers = a["coverage_default"].value >= g["coverage_target"]
    a["recovers_information"] = Answer(
        RECOVERS[0] if recovers else RECOVERS[1],
        formula=f"does the default ensemble reach the coverage target {g['coverage_target']:g}?",
        work=f"{k} learners see {a['coverage_default'].value:.1%} of the negatives",
        code=f"recovers_information = {(RECOVERS[0] if recovers else RECOVERS[1])!r}",
        mistakes={} if recovers else {"a common claim, true only with many (or disjoint) subsets":
                                      RECOVERS[0]})
    a["full_coverage_design"] = Answer(
        DESIGNS[1], formula="a partition covers everything with the fewest subsets; random draws need far more",
        work=f"{dis} disjoint subsets vs {need} random ones for only {g['coverage_target']:.0%}",
        code=f"full_coverage_design = {DESIGNS[1]!r}",
        mistakes={"random subsets reach full coverage only in the limit": DESIGNS[0],
                  "drawing with replacement covers less, not more": DESIGNS[2]})
    return Solution(a, data_code=DATA_CODE, setup_code=SETUP_CODE)
