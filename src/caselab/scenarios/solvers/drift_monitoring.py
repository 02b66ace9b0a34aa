"""Monitoring a deployed fraud model: input drift (PSI) on three features and calibration drift (O/E).

Seed 001, part 5. Labels (chargebacks) arrive weeks late, so the first signals are the inputs:

* **PSI** ``Σ (a_i − e_i)·ln(a_i / e_i)`` over the same bins in the baseline (``e``) and now (``a``).
  A bin that is empty on one side makes a logarithm infinite; the empty-bin rule of
  :func:`caselab.monitoring.psi` replaces any fraction below ε by ε (no renormalisation). A category that
  is new in production then contributes ≈ ``a·ln(a/ε)`` — its PSI depends on ε, so ε is reported with it
  and a new category is better caught by an unknown-category check than read off a PSI level.
* **Levels** 0.1 / 0.25 (stable / moderate / major) are a credit-scoring convention, not a test.
* **O/E** — the matured fraud rate over the mean predicted probability on the same transactions. Outside
  the team's alert band ([0.8, 1.25] in the casebook) the model is mis-calibrated in the large; with O and E as counts, ``(O − E)/√E``
  tells whether the gap is more than Poisson noise.

The decision uses both: drift alone is a reason to investigate, not to retrain; a confirmed calibration
gap on matured labels is a reason to recalibrate (and find out why).
"""

from __future__ import annotations

import math

import numpy as np

from caselab.maths.monitoring import observed_to_expected, oe_alert, psi, psi_contributions, psi_level
from caselab.scenarios.solvers import Answer, Solution, keep_distinct_mistakes
from caselab.scenarios.spec import DEFAULT_TOLERANCE, Given, Tolerance

_FRACTIONS = Given("bin fractions (sum to 1)", kind="list", each=Given("fraction", kind="rate"), min_items=2)

GIVENS = {
    "amount_baseline": _FRACTIONS,
    "amount_current": _FRACTIONS,
    "account_age_baseline": _FRACTIONS,
    "account_age_current": _FRACTIONS,
    "device_categories": Given("device categories, in the order of the fractions", kind="list",
                               each=Given("category", kind="text"), min_items=2),
    "device_baseline": _FRACTIONS,
    "device_current": _FRACTIONS,
    "eps": Given("empty-bin rule: a fraction below ε is replaced by ε", kind="rate", lo_open=True, hi=0.01),
    "eps_alternative": Given("a smaller ε, to show how much a new category's PSI depends on it", kind="rate",
                             lo_open=True, hi=0.01),
    "n_matured": Given("transactions in the matured cohort (labels final)", kind="integer", lo=1),
    "observed_fraud_rate": Given("fraud rate observed in the matured cohort", kind="rate", lo_open=True),
    "predicted_fraud_rate": Given("mean predicted probability on the same cohort", kind="rate", lo_open=True),
    "oe_lower": Given("lower edge of the O/E alert band", lo=0, lo_open=True, hi=1, hi_open=True),
    "oe_upper": Given("upper edge of the O/E alert band", lo=1, lo_open=True),
    "z_alarm": Given("|z| above which the O/E gap counts as more than noise", lo=0, lo_open=True),
}

ANSWERS = {"psi_amount", "psi_account_age", "psi_device", "new_category_share_of_psi", "psi_device_small_eps",
           "level_account_age", "level_device", "oe_ratio", "oe_alert_fires", "oe_z", "action"}

# the tolerance each number question is graded with (the spec's, else the unit's default)
TOLERANCE = {"psi_amount": Tolerance(abs=0.0005), "psi_account_age": Tolerance(abs=0.001),
             "psi_device": Tolerance(rel=0.01), "new_category_share_of_psi": Tolerance(abs=0.01),
             "psi_device_small_eps": Tolerance(rel=0.01), "oe_ratio": DEFAULT_TOLERANCE["ratio"],
             "oe_z": Tolerance(rel=0.02)}

LEVELS = ["stable", "moderate", "major"]
ACTIONS = ["no action", "investigate the drifted inputs; no model change",
           "recalibrate on matured labels and investigate the drifted inputs",
           "retrain now on the most recent week of data"]


def _one_way_kl(e, a, eps):
    e, a = np.maximum(np.asarray(e, float), eps), np.maximum(np.asarray(a, float), eps)
    return float(np.sum(a * np.log(a / e)))


def _known_only(e, a):
    """PSI over the bins that exist in the baseline, renormalised (the new category silently dropped)."""
    e, a = np.asarray(e, float), np.asarray(a, float)
    keep = e > 0
    e, a = e[keep] / e[keep].sum(), a[keep] / a[keep].sum()
    return float(np.sum((a - e) * np.log(a / e)))


def psi_pair(g: dict, feature: str, eps: float) -> float:
    return psi(g[f"{feature}_baseline"], g[f"{feature}_current"], eps=eps)


def action_for(oe_fires: bool, oe_significant: bool, levels: list[str]) -> str:
    """The monitoring decision: calibration gap confirmed → recalibrate; drift alone → investigate."""
    if oe_fires and oe_significant:
        return ACTIONS[2]
    if any(level != "stable" for level in levels) or oe_fires:
        return ACTIONS[1]
    return ACTIONS[0]


def solve(givens: dict) -> Solution:
    g = givens
    eps, eps2 = g["eps"], g["eps_alternative"]
    a: dict[str, Answer] = {}

    psis = {}
    for feature in ("amount", "account_age", "device"):
        e, cur = g[f"{feature}_baseline"], g[f"{feature}_current"]
        value = psi(e, cur, eps=eps)
        psis[feature] = value
        terms = psi_contributions(e, cur, eps=eps)
        biggest = int(np.argmax(terms))
        mistakes = {"one-way KL Σ a·ln(a/e) instead of the symmetric Σ (a − e)·ln(a/e)": _one_way_kl(e, cur, eps),
                    "log base 10 instead of the natural log": value / math.log(10)}
        if feature == "device":
            mistakes["the new category dropped and the rest renormalised"] = _known_only(e, cur)
            mistakes["the new category's term left out of the sum"] = float(terms[np.asarray(e) > 0].sum())
        a[f"psi_{feature}"] = Answer(
            value, formula="PSI = Σ (a_i − e_i)·ln(a_i / e_i), fractions below ε replaced by ε",
            work=f"per-bin terms [{', '.join(f'{t:.4f}' for t in terms)}] → PSI = {value:.4f} "
                 f"(largest term: bin {biggest + 1}, {terms[biggest]:.4f})",
            code=f"psi_{feature} = caselab.monitoring.psi({feature}_baseline, {feature}_current, eps=eps)",
            mistakes=mistakes)

    if len(g["device_categories"]) != len(g["device_baseline"]):
        raise ValueError(f"device_categories names {len(g['device_categories'])} categories but device_baseline has "
                         f"{len(g['device_baseline'])} fractions: give one name per fraction.")
    # the new category's share of the device PSI
    e_dev, a_dev = np.asarray(g["device_baseline"], float), np.asarray(g["device_current"], float)
    terms_dev = psi_contributions(e_dev, a_dev, eps=eps)
    new_mask = e_dev < eps
    share = float(terms_dev[new_mask].sum() / terms_dev.sum()) if new_mask.any() and terms_dev.sum() > 0 else 0.0
    new_names = [c for c, m in zip(g["device_categories"], new_mask, strict=False) if m]
    a["new_category_share_of_psi"] = Answer(
        share, formula="term of the bins empty in the baseline / total PSI; each such term ≈ a·ln(a/ε)",
        work=f"new categories {new_names}: {terms_dev[new_mask].sum():.4f} of {terms_dev.sum():.4f} = {share:.3f}",
        code="device_terms = caselab.monitoring.psi_contributions(device_baseline, device_current, eps=eps)\n"
             "is_new = np.asarray(device_baseline) < eps\n"
             "new_category_share_of_psi = device_terms[is_new].sum() / device_terms.sum()",
        mistakes={"the new category's share of traffic instead of its share of the PSI": float(a_dev[new_mask].sum())})
    psi_small = psi(e_dev, a_dev, eps=eps2)
    a["psi_device_small_eps"] = Answer(
        psi_small, formula="the same PSI with the smaller ε",
        work=f"ε = {eps2:g}: PSI = {psi_small:.4f} (vs {psis['device']:.4f} at ε = {eps:g}) — the index moved "
             f"by {psi_small - psis['device']:.3f} with no change in the data",
        code="psi_device_small_eps = caselab.monitoring.psi(device_baseline, device_current, eps=eps_alternative)",
        mistakes={"the PSI at the original ε": psis["device"]})

    for feature in ("account_age", "device"):
        level = psi_level(psis[feature])
        a[f"level_{feature}"] = Answer(
            level, formula="PSI < 0.1 stable; 0.1 ≤ PSI < 0.25 moderate; ≥ 0.25 major (a convention)",
            work=f"PSI = {psis[feature]:.4f} → {level}",
            code=f"level_{feature} = caselab.monitoring.psi_level(psi_{feature})",
            depends_on=(f"psi_{feature}",), recompute=lambda v, f=feature: psi_level(max(v[f"psi_{f}"], 0.0)))
    if psi_level(_known_only(e_dev, a_dev)) != a["level_device"].value:
        a["level_device"].mistakes["reading the PSI with the new category dropped"] = psi_level(_known_only(e_dev, a_dev))

    obs, pred = g["observed_fraud_rate"], g["predicted_fraud_rate"]
    oe = observed_to_expected(obs, pred)
    a["oe_ratio"] = Answer(
        oe, formula="O/E = observed positive rate / mean predicted probability (same cohort)",
        work=f"{obs:g} / {pred:g} = {oe:.4f} "
             f"({'below 1: the model over-predicts' if oe < 1 else 'above 1: the model under-predicts'} fraud)",
        code="oe_ratio = caselab.monitoring.observed_to_expected(observed_fraud_rate, predicted_fraud_rate)",
        mistakes={"E/O instead of O/E": pred / obs, "the difference O − E instead of the ratio": obs - pred})
    fires = oe_alert(oe, g["oe_lower"], g["oe_upper"])
    a["oe_alert_fires"] = Answer(
        "alert" if fires else "no alert", formula="alert when O/E is outside [lower, upper]",
        work=f"O/E = {oe:.3f}, band [{g['oe_lower']:g}, {g['oe_upper']:g}] → {'alert' if fires else 'no alert'}",
        code='oe_alert_fires = "alert" if caselab.monitoring.oe_alert(oe_ratio, oe_lower, oe_upper) else "no alert"',
        depends_on=("oe_ratio",),
        recompute=lambda v: "alert" if oe_alert(max(v["oe_ratio"], 0.0), g["oe_lower"], g["oe_upper"]) else "no alert")

    n = g["n_matured"]
    observed, expected = obs * n, pred * n
    z = (observed - expected) / math.sqrt(expected)
    a["oe_z"] = Answer(
        z, formula="z = (O − E) / √E with O, E the observed and expected fraud counts (Poisson)",
        work=f"O = {obs:g}·{n:,} = {observed:,.0f}, E = {pred:g}·{n:,} = {expected:,.0f}; "
             f"z = ({observed:,.0f} − {expected:,.0f}) / √{expected:,.0f} = {z:.2f}",
        code="observed_count = observed_fraud_rate * n_matured\n"
             "expected_count = predicted_fraud_rate * n_matured\n"
             "oe_z = (observed_count - expected_count) / np.sqrt(expected_count)",
        mistakes={"dividing by √O instead of √E": (observed - expected) / math.sqrt(observed),
                  "rates instead of counts in the formula": (obs - pred) / math.sqrt(pred)})

    significant = abs(z) > g["z_alarm"]
    levels = [psi_level(psis[f]) for f in ("amount", "account_age", "device")]
    action = action_for(fires, significant, levels)
    a["action"] = Answer(
        action,
        formula="O/E out of band and |z| above the alarm → recalibrate (and investigate); drift or a noisy O/E "
                "alone → investigate; nothing → no action. Never retrain on immature labels.",
        work=f"O/E {'out of' if fires else 'inside'} band, |z| = {abs(z):.1f} "
             f"{'>' if significant else '≤'} {g['z_alarm']:g}; PSI levels {dict(zip(('amount', 'account_age', 'device'), levels, strict=False))}"
             f" → {action}",
        code="levels = [caselab.monitoring.psi_level(v) for v in (psi_amount, psi_account_age, psi_device)]\n"
             "confirmed = oe_alert_fires == 'alert' and abs(oe_z) > z_alarm\n"
             f"action = {ACTIONS[2]!r} if confirmed else (\n"
             f"    {ACTIONS[1]!r} if any(l != 'stable' for l in levels) or oe_alert_fires == 'alert'\n"
             f"    else {ACTIONS[0]!r})",
        depends_on=("oe_alert_fires", "oe_z", "psi_amount", "psi_account_age", "psi_device"),
        recompute=lambda v: action_for(v["oe_alert_fires"] == "alert", abs(v["oe_z"]) > g["z_alarm"],
                                       [psi_level(max(v[k], 0.0)) for k in ("psi_amount", "psi_account_age",
                                                                              "psi_device")]),
        mistakes={"retraining on last week's data: its labels have not matured, so the 'fraud rate' in it is "
                  "too low": ACTIONS[3]})

    age_terms = psi_contributions(g["account_age_baseline"], g["account_age_current"], eps=eps)
    facts = {"psi_amount": psis["amount"], "psi_eps_move": psi_small - psis["device"], "oe_z": z,
             # the share of account_age's PSI carried by its two youngest deciles
             "account_age_young_share": float(age_terms[:2].sum() / age_terms.sum()) if age_terms.sum() > 0 else 0.0,
             "expected_count": expected, "abs_z": abs(z),
             "z_reading": (f"above {g['z_alarm']:g}: far more than Poisson noise" if significant else
                           f"not above {g['z_alarm']:g}: a gap this size is within what noise alone produces on "
                           f"{expected:,.0f} expected frauds — the same O/E on a larger cohort would be real")}
    return Solution(keep_distinct_mistakes(a, TOLERANCE), setup_code="import numpy as np", facts=facts)
