"""Delayed labels: what a dashboard shows before the labels have arrived, and how to monitor instead.

Seed 000 part 5 ("delayed labels could make the metric misleading"), beyond the seeds. Fraud labels
(chargebacks) arrive over weeks. Let F(a) be the share of a cohort's eventual positive labels that
have arrived a days after the events (the *maturation curve*, linear between the given points). If
arrival does not depend on the score and unlabelled events are counted as negatives:

    observed precision  = precision · F(a)        (caught fraud not yet charged back looks like an FP)
    observed recall     = recall                  (numerator and denominator both scale by F(a))
    observed prevalence = prevalence · F(a)

A rolling window that pools cohorts of ages 0 … W−1 (equal volume each day) shows
precision · mean F(a) over those ages. Dividing by F(a) undoes the bias for a cohort of known age
(maturity adjustment); monitoring only cohorts old enough that F(a) ≈ 1 avoids it.
"""

from __future__ import annotations

import numpy as np

from caselab.scenarios.solvers import Answer, Solution, keep_distinct_mistakes
from caselab.scenarios.spec import Given, Tolerance

GIVENS = {
    "precision": Given("the model's true precision at its threshold (with every label final)", kind="rate",
                       lo_open=True),
    "recall": Given("the model's true recall at its threshold", kind="rate"),
    "prevalence": Given("true fraud rate", kind="rate", lo_open=True, hi_open=True),
    "cohort_age_days": Given("age of the cohort on the dashboard, days since the events", kind="number", lo=0),
    "maturation_ages": Given("days since the event (ascending, first 0)", kind="list", min_items=2,
                             each=Given("an age in days", kind="number", lo=0)),
    "maturation_shares": Given("share of eventual chargebacks arrived by each age (strictly increasing, last 1)",
                               kind="list", min_items=2, each=Given("a share", kind="rate")),
    "window_days": Given("days pooled by the rolling dashboard (cohort ages 0 … window − 1)", kind="integer", lo=1),
    "alert_precision": Given("precision below which the team retrains", kind="rate"),
    "maturity_target": Given("share of labels that must have arrived before a cohort counts as matured",
                             kind="rate", lo_open=True),
}

ANSWERS = {"observed_precision", "apparent_drop", "observed_recall", "observed_prevalence",
           "rolling_window_precision", "adjusted_precision", "maturity_age", "retrain_decision"}

DECISIONS = ["retrain now", "wait: judge on matured cohorts"]


def maturation(givens: dict):
    ages = np.asarray(givens["maturation_ages"], dtype=float)
    shares = np.asarray(givens["maturation_shares"], dtype=float)
    if len(ages) != len(shares):
        raise ValueError("maturation_ages and maturation_shares must have the same length.")
    if np.any(np.diff(ages) <= 0) or np.any(np.diff(shares) <= 0):
        raise ValueError("the maturation curve must have strictly increasing ages and shares.")
    if shares[-1] != 1:
        raise ValueError("the maturation curve must reach 1 (every label final) at its last age.")
    return ages, shares


def age_reaching(target: float, ages: np.ndarray, shares: np.ndarray) -> float:
    """The age at which the piecewise-linear curve reaches ``target`` (the curve inverted by interpolation)."""
    return float(np.interp(target, shares, ages))

# the specs' tolerances, for keep_distinct_mistakes (tests/test_solvers.py checks they match)
TOLERANCE = {"observed_precision": Tolerance(abs=0.002), "apparent_drop": Tolerance(abs=0.002),
             "observed_recall": Tolerance(abs=0.002), "observed_prevalence": Tolerance(abs=1e-05),
             "rolling_window_precision": Tolerance(abs=0.002), "adjusted_precision": Tolerance(abs=0.002),
             "maturity_age": Tolerance(abs=0.5)}


def solve(givens: dict) -> Solution:
    g = givens
    ages, shares = maturation(g)
    p, r, prev = g["precision"], g["recall"], g["prevalence"]
    age = g["cohort_age_days"]
    f = float(np.interp(age, ages, shares))
    if f == 0:
        raise ValueError("no labels have arrived at this cohort age: the observed metrics are undefined.")
    window = np.arange(g["window_days"])
    f_window = float(np.mean(np.interp(window, ages, shares)))
    a: dict[str, Answer] = {}

    obs_p = p * f
    a["observed_precision"] = Answer(
        obs_p, formula="observed precision = precision · F(age): flagged fraud whose chargeback has not arrived "
                       "counts as a false positive",
        work=f"F({age:g}) = {f:.4f}; {p:g} · {f:.4f} = {obs_p:.4f}",
        code="F_age = np.interp(cohort_age_days, maturation_ages, maturation_shares)\n"
             "observed_precision = precision * F_age",
        mistakes={"the true precision: the missing labels ignored": p})
    drop = 1 - obs_p / p
    a["apparent_drop"] = Answer(
        drop, formula="relative drop = 1 − observed / true = 1 − F(age)",
        work=f"1 − {obs_p:.4f}/{p:g} = {drop:.4f}",
        code="apparent_drop = 1 - observed_precision / precision",
        depends_on=("observed_precision",), recompute=lambda v: 1 - v["observed_precision"] / p,
        mistakes={"the drop in percentage points, not relative": p - obs_p})
    a["observed_recall"] = Answer(
        r, formula="observed recall = (recall · P · F) / (P · F) = recall, if arrival is independent of the score",
        work=f"({r:g} · F) / F = {r:g}",
        code="observed_recall = recall  # caught and missed fraud mature at the same rate",
        mistakes={"recall · F(age): only the numerator scaled": r * f})
    a["observed_prevalence"] = Answer(
        prev * f, formula="observed prevalence = prevalence · F(age)",
        work=f"{prev:g} · {f:.4f} = {prev * f:.6f}",
        code="observed_prevalence = prevalence * F_age",
        mistakes={"the true prevalence": prev})
    roll = p * f_window
    a["rolling_window_precision"] = Answer(
        roll, formula=f"pooled cohorts of ages 0 … {g['window_days'] - 1}: precision · mean F(age)",
        work=f"mean F over ages 0…{g['window_days'] - 1} = {f_window:.4f}; {p:g} · {f_window:.4f} = {roll:.4f}",
        code="window_ages = np.arange(window_days)\n"
             "rolling_window_precision = precision * np.mean(np.interp(window_ages, maturation_ages, maturation_shares))",
        mistakes={"F at the window's oldest age instead of the mean over ages":
                  p * float(np.interp(g["window_days"] - 1, ages, shares)),
                  "the true precision": p})
    a["adjusted_precision"] = Answer(
        obs_p / f, formula="maturity-adjusted precision = observed / F(age)",
        work=f"{obs_p:.4f} / {f:.4f} = {obs_p / f:.4f}",
        code="adjusted_precision = observed_precision / F_age",
        depends_on=("observed_precision",), recompute=lambda v: v["observed_precision"] / f,
        mistakes={"observed × F instead of ÷ F": obs_p * f})
    target = g["maturity_target"]
    mat_age = age_reaching(target, ages, shares)
    a["maturity_age"] = Answer(
        mat_age, formula=f"the age where the maturation curve reaches {target:g} (linear between the points)",
        work=f"F reaches {target:g} at {mat_age:.1f} days",
        code="# invert the curve: interpolate the age as a function of the share\n"
             "maturity_age = np.interp(maturity_target, maturation_shares, maturation_ages)",
        mistakes={"the first listed age at or beyond the target (no interpolation)":
                  float(ages[int(np.argmax(shares >= target))])})
    alert = g["alert_precision"]
    adjusted = obs_p / f
    decision = DECISIONS[0] if adjusted < alert else DECISIONS[1]
    a["retrain_decision"] = Answer(
        decision, formula="judge the alert on the maturity-adjusted (or matured-cohort) precision, not the raw one",
        work=f"raw {obs_p:.3f} {'<' if obs_p < alert else '≥'} {alert:g}, adjusted {adjusted:.3f} "
             f"{'<' if adjusted < alert else '≥'} {alert:g} → {decision}",
        code=f"retrain_decision = {DECISIONS[0]!r} if adjusted_precision < alert_precision else {DECISIONS[1]!r}",
        depends_on=("adjusted_precision",),
        recompute=lambda v: DECISIONS[0] if v["adjusted_precision"] < alert else DECISIONS[1],
        mistakes={f"retraining on an artefact: the raw {age:g}-day precision is low because labels are missing":
                  DECISIONS[0]} if decision == DECISIONS[1] and obs_p < alert else {})
    return Solution(keep_distinct_mistakes(a, TOLERANCE), setup_code="import numpy as np")
