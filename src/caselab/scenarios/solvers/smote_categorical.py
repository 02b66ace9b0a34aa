"""SMOTE's interpolation, by hand and on data: why it breaks categorical features and what SMOTE-NC does.

SMOTE makes a synthetic minority point x_new = x_i + λ·(x_nn − x_i), λ ~ U(0, 1), with one λ for all
the features of that point. On one-hot columns that yields fractions: the midpoint of a $500 fraud on a
high-limit, non-prepaid card and a $5 fraud on a prepaid, non-high-limit card is ($252.5, 0.5, 0.5) — a
card that is half high-limit and half prepaid. Rounding a one-hot group afterwards happens to give a
valid category (each synthetic row blends exactly two one-hot vectors, so it copies the nearer parent),
but that is an ad-hoc patch, not a method: separately encoded flags can still round to combinations no
parent had, and the neighbour search already treated category differences as distances. SMOTE-NC
interpolates only the continuous columns and gives each
categorical column the most frequent value among the neighbours, so every synthetic row is a real
category. On a seeded mixed-type dataset (:func:`caselab.data.mixed_type_fraud`) the solver counts both.
"""

from __future__ import annotations

import math

import numpy as np
from imblearn.over_sampling import SMOTE, SMOTENC

from caselab.maths.imbalance import smote_interpolate
from caselab.scenarios.data import mixed_type_fraud
from caselab.scenarios.solvers import Answer, Solution, keep_distinct_mistakes
from caselab.scenarios.spec import DEFAULT_TOLERANCE, Given, Tolerance

_TXN = {
    "amount": Given("transaction amount in dollars", lo=0),
    "high_limit": Given("1 if the card is a high-limit card, else 0", kind="integer", lo=0, hi=1),
    "prepaid": Given("1 if the card is prepaid, else 0", kind="integer", lo=0, hi=1),
}

GIVENS = {
    "fraud_a": Given("the minority example x_i", kind="table", fields=_TXN),
    "fraud_b": Given("its minority neighbour x_nn", kind="table", fields=_TXN),
    "lam": Given("SMOTE's interpolation weight λ for the first question", kind="rate"),
    "target_amount": Given("the synthetic amount quoted in the story", lo=0),
    "n_transactions": Given("rows of the seeded mixed-type dataset", kind="integer", lo=200, hi=100_000),
    "prevalence": Given("fraud rate of the seeded dataset", kind="rate", lo_open=True, hi=0.3),
    "seed": Given("seed of the dataset and of both samplers", kind="integer", lo=0),
}

ANSWERS = {"mid_amount", "mid_high_limit", "mid_prepaid", "lambda_for_target", "high_limit_at_target",
           "n_synthetic", "fractional_share", "rounded_valid_share", "smotenc_valid_share", "approach"}

TOLERANCE = {"mid_amount": Tolerance(abs=0.01), "mid_high_limit": Tolerance(abs=0.001),
             "mid_prepaid": Tolerance(abs=0.001), "lambda_for_target": Tolerance(abs=0.0005),
             "high_limit_at_target": Tolerance(abs=0.0005), "n_synthetic": DEFAULT_TOLERANCE["count"],
             "fractional_share": DEFAULT_TOLERANCE["rate"], "rounded_valid_share": DEFAULT_TOLERANCE["rate"],
             "smotenc_valid_share": DEFAULT_TOLERANCE["rate"]}

APPROACHES = ["plain SMOTE on the one-hot columns: fractions are fine for trees",
              "drop the card type so that SMOTE sees only numeric columns",
              "SMOTE-NC for the mixed columns, or skip SMOTE (class weights / threshold)"]

DATA_CODE = """\
import numpy as np
from caselab.scenarios.data import mixed_type_fraud
from imblearn.over_sampling import SMOTE, SMOTENC

d = mixed_type_fraud(n_transactions, prevalence=prevalence, seed=seed)
onehot = np.eye(3)[d.card_type]                 # columns: credit, debit, prepaid
X_onehot = np.column_stack([d.amount, onehot])  # for plain SMOTE
X_coded = np.column_stack([d.amount, d.card_type])  # for SMOTE-NC: column 1 is categorical
print(f"{len(d.y):,} transactions, {d.y.sum():,} fraud; card types of the frauds "
      f"(credit, debit, prepaid): {np.bincount(d.card_type[d.y == 1], minlength=3)}")"""

SETUP_CODE = """\
x_a = np.array([fraud_a["amount"], fraud_a["high_limit"], fraud_a["prepaid"]], dtype=float)
x_b = np.array([fraud_b["amount"], fraud_b["high_limit"], fraud_b["prepaid"]], dtype=float)
midpoint = caselab.imbalance.smote_interpolate(x_a, x_b, lam)

X_s, y_s = SMOTE(random_state=seed).fit_resample(X_onehot, d.y)
synthetic = X_s[len(d.y):]                      # imbalanced-learn appends the synthetic rows
X_nc, y_nc = SMOTENC(categorical_features=[1], random_state=seed).fit_resample(X_coded, d.y)
synthetic_nc = X_nc[len(d.y):]"""


def resample(givens: dict):
    """Synthetic rows from SMOTE (one-hot card type) and SMOTE-NC (coded card type) — shared with the tests."""
    g = givens
    d = mixed_type_fraud(g["n_transactions"], prevalence=g["prevalence"], seed=g["seed"])
    if d.y.sum() < 6:
        raise ValueError("SMOTE needs at least k + 1 = 6 minority rows: raise n_transactions or the prevalence.")
    X_onehot = np.column_stack([d.amount, np.eye(3)[d.card_type]])
    X_s, _ = SMOTE(random_state=g["seed"]).fit_resample(X_onehot, d.y)
    X_nc, _ = SMOTENC(categorical_features=[1], random_state=g["seed"]).fit_resample(
        np.column_stack([d.amount, d.card_type]), d.y)
    return d, X_s[len(d.y):], X_nc[len(d.y):]


def solve(givens: dict) -> Solution:
    g = givens
    fa, fb, lam = g["fraud_a"], g["fraud_b"], g["lam"]
    x_a = np.array([fa["amount"], fa["high_limit"], fa["prepaid"]], dtype=float)
    x_b = np.array([fb["amount"], fb["high_limit"], fb["prepaid"]], dtype=float)
    mid = smote_interpolate(x_a, x_b, lam)
    a: dict[str, Answer] = {}
    for i, (key, _name) in enumerate((("mid_amount", "amount"), ("mid_high_limit", "high_limit"),
                                     ("mid_prepaid", "prepaid"))):
        a[key] = Answer(
            float(mid[i]), formula="x_new = x_i + λ·(x_nn − x_i), the same λ for every feature",
            work=f"{x_a[i]:g} + {lam:g}·({x_b[i]:g} − {x_a[i]:g}) = {mid[i]:g}",
            code=f"{key} = midpoint[{i}]",
            # at λ = 0.5 both ends give the same point: no mistake to name
            mistakes={} if lam == 0.5 else {"λ applied from the neighbour's end": float(x_b[i] + lam * (x_a[i] - x_b[i]))})
    if not math.isclose(g["target_amount"], float(mid[0]), rel_tol=0, abs_tol=0.5):
        a["mid_amount"].mistakes[f"the quoted {g['target_amount']:g} dollars, which needs a different λ"] = \
            float(g["target_amount"])
    if x_a[0] == x_b[0]:
        raise ValueError("the two amounts are equal: no λ moves the amount.")
    lam_t = (g["target_amount"] - x_a[0]) / (x_b[0] - x_a[0])
    if not 0 <= lam_t <= 1:
        raise ValueError("target_amount must lie between the two transactions' amounts.")
    a["lambda_for_target"] = Answer(
        lam_t, formula="λ = (target − amount_i) / (amount_nn − amount_i)",
        work=f"({g['target_amount']:g} − {x_a[0]:g}) / ({x_b[0]:g} − {x_a[0]:g}) = {lam_t:.5f}",
        code="lambda_for_target = (target_amount - fraud_a['amount']) / (fraud_b['amount'] - fraud_a['amount'])",
        mistakes={"λ measured from the neighbour's end (1 − λ)": 1 - lam_t})
    hl = float(smote_interpolate(x_a, x_b, lam_t)[1])
    a["high_limit_at_target"] = Answer(
        hl, formula="high_limit_new = high_limit_i + λ·(high_limit_nn − high_limit_i) with that same λ",
        work=f"{x_a[1]:g} + {lam_t:.5f}·({x_b[1]:g} − {x_a[1]:g}) = {hl:.5f} — neither 0 nor 1",
        code="high_limit_at_target = caselab.imbalance.smote_interpolate(x_a, x_b, lambda_for_target)[1]",
        depends_on=("lambda_for_target",),
        recompute=lambda v: x_a[1] + v["lambda_for_target"] * (x_b[1] - x_a[1]),
        mistakes={"rounded to a category (SMOTE does not round)": float(round(hl))})

    d, syn, syn_nc = resample(g)
    n_pos = int(d.y.sum())
    n_syn = len(syn)
    a["n_synthetic"] = Answer(
        float(n_syn), formula="SMOTE's default balances the classes: n_neg − n_pos synthetic rows",
        work=f"{len(d.y) - n_pos:,} − {n_pos:,} = {n_syn:,}",
        code="n_synthetic = len(synthetic)",
        mistakes={"the size of the resampled dataset": float(len(d.y) + n_syn), "n_neg": float(len(d.y) - n_pos)})
    oh = syn[:, 1:]
    frac = float(np.mean(np.any((oh > 0) & (oh < 1), axis=1)))
    a["fractional_share"] = Answer(
        frac, formula="share of synthetic rows with any one-hot value strictly between 0 and 1",
        work=f"{int(round(frac * n_syn)):,} / {n_syn:,} = {frac:.4f} — every pair of neighbours with different card "
             "types gives a fractional card",
        code="onehot_syn = synthetic[:, 1:]\n"
             "fractional_share = np.mean(np.any((onehot_syn > 0) & (onehot_syn < 1), axis=1))")
    rounded_ok = float(np.mean(np.round(oh).sum(axis=1) == 1))
    a["rounded_valid_share"] = Answer(
        rounded_ok, formula="share of synthetic rows whose rounded one-hot is exactly one category",
        work=f"{rounded_ok:.4f}: each synthetic row blends exactly two one-hot vectors, (1 − λ) of one and λ of "
             "the other, so rounding just copies the nearer parent's card type",
        code="rounded_valid_share = np.mean(np.round(onehot_syn).sum(axis=1) == 1)",
        mistakes={"the share of unrounded rows that are valid": 1 - frac})
    valid = float(np.mean(np.isin(syn_nc[:, 1], [0, 1, 2])))
    a["smotenc_valid_share"] = Answer(
        valid, formula="share of SMOTE-NC's synthetic rows whose card type is one of the categories 0/1/2",
        work=f"{valid:.4f}; card types of the synthetic frauds: {np.bincount(syn_nc[:, 1].astype(int), minlength=3)}",
        code="smotenc_valid_share = np.mean(np.isin(synthetic_nc[:, 1], [0, 1, 2]))",
        mistakes={"plain SMOTE's share of valid rows": 1 - frac})
    a["approach"] = Answer(
        APPROACHES[2], formula="interpolate only what can be interpolated; or avoid synthetic rows altogether",
        work=f"plain SMOTE: {frac:.0%} of the synthetic rows have a fractional card type; SMOTE-NC: {valid:.0%} valid",
        code=f"approach = {APPROACHES[2]!r}",
        mistakes={"a fractional category is not a real transaction; the model learns from impossible rows":
                      APPROACHES[0],
                  "the card type carries signal (frauds lean prepaid): dropping it throws that away": APPROACHES[1]})
    return Solution(keep_distinct_mistakes(a, TOLERANCE), data_code=DATA_CODE, setup_code=SETUP_CODE)
