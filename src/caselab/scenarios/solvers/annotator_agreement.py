"""Two annotators, one agreement table: raw agreement, chance agreement, Cohen's κ — and what it implies.

Seed 000 (parts 1–3) and seed 001 (part 2): the labels behind a sentiment classifier. With two
annotators A and B labelling the same ``n`` items, the 2×2 table of their labels gives::

    p_o = (both positive + both negative) / n                      observed agreement
    p_e = a₊·b₊ + (1 − a₊)·(1 − b₊)                                 agreement expected by chance,
                                                                    a₊, b₊ = each annotator's positive rate
    κ   = (p_o − p_e) / (1 − p_e)                                   Cohen (1960)

κ says how far above chance the two agree; it is not the share of correct labels. To turn the
disagreement rate d = 1 − p_o into a label-error rate one needs a model of the errors. Under the
simplest one — each annotator independently flips the true label with the same probability e —
two annotators disagree exactly when one of them errs: d = 2·e·(1 − e), so
e = (1 − √(1 − 2d)) / 2. A perfect model scored against one annotator's labels can then show at most
1 − e accuracy (the label-noise ceiling), and a majority vote of three such annotators errs with
probability 3e²(1 − e) + e³.

The model-choice decision takes the best validation PR-AUC among the candidates that meet the
latency budget (the fastest candidate if none does).
"""

from __future__ import annotations

import math

from caselab.maths.metrics import cohen_kappa, kappa_band
from caselab.scenarios.solvers import Answer, Solution, keep_distinct_mistakes
from caselab.scenarios.spec import Given, Tolerance

_COUNT = dict(kind="integer", lo=0)

GIVENS = {
    "agreement": Given("two annotators' labels on the same items (A's label first, B's second)", kind="table",
                       fields={
                           "pos_pos": Given("items both A and B labelled positive", **_COUNT),
                           "pos_neg": Given("items A labelled positive and B negative", **_COUNT),
                           "neg_pos": Given("items A labelled negative and B positive", **_COUNT),
                           "neg_neg": Given("items both labelled negative", **_COUNT),
                       }),
    "n_to_label": Given("items in the full dataset, each to be labelled by two annotators", kind="integer", lo=1),
    "latency_budget_ms": Given("p99 latency budget of the scoring service, in milliseconds", lo=0, lo_open=True),
    "candidates": Given("candidate models", kind="mapping", min_items=2, each=Given(
        "a candidate model", kind="table", fields={
            "pr_auc": Given("PR-AUC on the (adjudicated) validation set", kind="rate"),
            "p99_latency_ms": Given("p99 latency per request on the serving hardware, ms", lo=0, lo_open=True),
        })),
}

ANSWERS = {"observed_agreement", "chance_agreement", "kappa", "kappa_band", "kappa_se", "kappa_band_supported",
           "annotator_error_rate", "noise_ceiling_accuracy", "majority_vote_error", "adjudication_items",
           "model_choice"}

SPANS_BANDS = "the 95% CI spans more than one band"

# the spec's tolerances, for keep_distinct_mistakes (tests/test_solvers.py checks they match)
TOLERANCE = {"observed_agreement": Tolerance(abs=0.001), "chance_agreement": Tolerance(abs=0.0002),
             "kappa": Tolerance(abs=0.0002), "kappa_se": Tolerance(abs=0.001),
             "annotator_error_rate": Tolerance(abs=0.002), "noise_ceiling_accuracy": Tolerance(abs=0.002),
             "majority_vote_error": Tolerance(abs=0.001), "adjudication_items": Tolerance(abs=5)}


def symmetric_error_rate(disagreement: float) -> float:
    """The per-annotator error rate e with 2·e·(1 − e) = ``disagreement`` (independent, equal error rates)."""
    if not 0 <= disagreement <= 0.5:
        raise ValueError(f"disagreement = {disagreement} must be in [0, 0.5] for independent annotators who "
                         "are better than a coin flip.")
    return (1 - math.sqrt(1 - 2 * disagreement)) / 2


def majority_of_three_error(e: float) -> float:
    """P(a majority vote of three independent annotators, each wrong with probability e, is wrong)."""
    return 3 * e ** 2 * (1 - e) + e ** 3


def solve(givens: dict) -> Solution:
    t = givens["agreement"]
    n = t["pos_pos"] + t["pos_neg"] + t["neg_pos"] + t["neg_neg"]
    if n == 0:
        raise ValueError("the agreement table is empty: no items were double-labelled.")
    a_pos = (t["pos_pos"] + t["pos_neg"]) / n
    b_pos = (t["pos_pos"] + t["neg_pos"]) / n
    k = cohen_kappa([[t["pos_pos"], t["pos_neg"]], [t["neg_pos"], t["neg_neg"]]])
    p_o, p_e, kappa = k.observed, k.expected, k.kappa
    d = 1 - p_o
    a: dict[str, Answer] = {}

    a["observed_agreement"] = Answer(
        p_o, formula="p_o = (both positive + both negative) / n",
        work=f"({t['pos_pos']:,} + {t['neg_neg']:,}) / {n:,} = {p_o:.4f}",
        code="observed_agreement = (agreement['pos_pos'] + agreement['neg_neg']) / n_items",
        mistakes={"only the items both called positive": t["pos_pos"] / n,
                  "the disagreement rate instead of the agreement": d})
    a["chance_agreement"] = Answer(
        p_e, formula="p_e = a₊·b₊ + (1 − a₊)·(1 − b₊), with a₊, b₊ each annotator's share of positive labels",
        work=f"a₊ = {a_pos:.4f}, b₊ = {b_pos:.4f}: {a_pos:.4f}·{b_pos:.4f} + {1 - a_pos:.4f}·{1 - b_pos:.4f} "
             f"= {p_e:.4f}",
        code="chance_agreement = a_pos * b_pos + (1 - a_pos) * (1 - b_pos)",
        mistakes={"0.5: chance agreement of two fair coins, ignoring the annotators' label rates": 0.5,
                  "only the chance of both saying positive (a₊·b₊), not both saying negative too": a_pos * b_pos})
    a["kappa"] = Answer(
        kappa, formula="κ = (p_o − p_e) / (1 − p_e)",
        work=f"({p_o:.4f} − {p_e:.4f}) / (1 − {p_e:.4f}) = {kappa:.4f}",
        code="kappa = (observed_agreement - chance_agreement) / (1 - chance_agreement)",
        depends_on=("observed_agreement", "chance_agreement"),
        recompute=lambda v: (v["observed_agreement"] - v["chance_agreement"]) / (1 - v["chance_agreement"]),
        mistakes={"the raw agreement p_o reported as κ": p_o,
                  "p_o − p_e without dividing by 1 − p_e": p_o - p_e,
                  "chance agreement taken as 0.5 (fair coins)": (p_o - 0.5) / 0.5})
    band = kappa_band(kappa)
    a["kappa_band"] = Answer(
        band, formula="Landis & Koch: ≤0 poor, ≤0.2 slight, ≤0.4 fair, ≤0.6 moderate, ≤0.8 substantial, "
                      "else almost perfect",
        work=f"κ = {kappa:.4f} → {band}",
        code="bands = [(0.0, 'poor'), (0.2, 'slight'), (0.4, 'fair'), (0.6, 'moderate'), (0.8, 'substantial'), "
             "(1.0, 'almost perfect')]\n"
             "kappa_band = next((name for upper, name in bands if kappa <= upper), 'almost perfect')",
        depends_on=("kappa",), recompute=lambda v: kappa_band(v["kappa"]),
        mistakes={f"{kappa_band(p_o)}: the band of the raw agreement p_o, not of κ": kappa_band(p_o)}
        if kappa_band(p_o) != band else {})
    a["kappa_se"] = Answer(
        k.se, formula="large-sample SE of κ (Fleiss, Cohen & Everitt 1969), e.g. "
                      "statsmodels.stats.inter_rater.cohens_kappa(table).std_kappa or caselab.metrics.cohen_kappa",
        work=f"SE = {k.se:.4f}; 95% CI κ ± 1.96·SE = [{k.ci_low:.3f}, {k.ci_high:.3f}]",
        code="table = [[agreement['pos_pos'], agreement['pos_neg']], [agreement['neg_pos'], agreement['neg_neg']]]\n"
             "kappa_ci = caselab.metrics.cohen_kappa(table)\n"
             "kappa_se = kappa_ci.se",
        mistakes={"the binomial SE of the raw agreement, √(p_o(1 − p_o)/n)": math.sqrt(p_o * (1 - p_o) / n)})
    low_band, high_band = kappa_band(k.ci_low), kappa_band(k.ci_high)
    supported = low_band if low_band == high_band else SPANS_BANDS
    a["kappa_band_supported"] = Answer(
        supported, formula="the Landis & Koch bands of both ends of the 95% CI; one band only if both agree",
        work=f"CI [{k.ci_low:.3f}, {k.ci_high:.3f}]: {low_band} at the low end, {high_band} at the high end"
             + (" → the pilot cannot tell the two apart" if supported == SPANS_BANDS else ""),
        code=f"kappa_band_supported = {supported!r}  # bands at the CI ends: {low_band!r}, {high_band!r}",
        mistakes={f"{band}: only part of the 95% CI [{k.ci_low:.3f}, {k.ci_high:.3f}] lies in that band — the "
                  f"pilot's {n:,} items cannot rule out the neighbouring one": band
                  for band in (low_band, high_band) if band != supported})
    e = symmetric_error_rate(d)
    a["annotator_error_rate"] = Answer(
        e, formula="independent annotators, each wrong with probability e, disagree with probability 2e(1 − e) "
                   "= 1 − p_o  ⇒  e = (1 − √(1 − 2(1 − p_o))) / 2",
        work=f"d = 1 − {p_o:.4f} = {d:.4f}; e = (1 − √(1 − 2·{d:.4f})) / 2 = {e:.4f}",
        code="annotator_error_rate = (1 - (1 - 2 * (1 - observed_agreement)) ** 0.5) / 2",
        depends_on=("observed_agreement",), recompute=lambda v: symmetric_error_rate(1 - v["observed_agreement"]),
        mistakes={"the whole disagreement rate 1 − p_o taken as one annotator's error rate": d,
                  "half the disagreement rate, (1 − p_o)/2: forgets that both annotators can be wrong together "
                  "(then they agree, on the wrong label)": d / 2})
    a["noise_ceiling_accuracy"] = Answer(
        1 - e, formula="a perfect model, scored against one annotator's labels, is 'wrong' wherever that "
                       "annotator is: accuracy ≤ 1 − e",
        work=f"1 − {e:.4f} = {1 - e:.4f}",
        code="noise_ceiling_accuracy = 1 - annotator_error_rate",
        depends_on=("annotator_error_rate",), recompute=lambda v: 1 - v["annotator_error_rate"],
        mistakes={"the raw agreement p_o (the disagreement taken as one annotator's errors)": p_o,
                  "1 − (1 − p_o)/2 (joint errors ignored)": 1 - d / 2,
                  "κ read as an accuracy": kappa})
    maj = majority_of_three_error(e)
    a["majority_vote_error"] = Answer(
        maj, formula="a majority of three is wrong when at least two of them are: 3e²(1 − e) + e³",
        work=f"3·{e:.4f}²·(1 − {e:.4f}) + {e:.4f}³ = {maj:.4f}",
        code="e = annotator_error_rate\nmajority_vote_error = 3 * e**2 * (1 - e) + e**3",
        depends_on=("annotator_error_rate",), recompute=lambda v: majority_of_three_error(v["annotator_error_rate"]),
        mistakes={"e³: only the case where all three are wrong": e ** 3,
                  "e²: two wrong, without counting the three ways to pick them or the third being right": e ** 2,
                  "e/3: errors 'averaged out' linearly": e / 3})
    adjudicate = givens["n_to_label"] * d
    a["adjudication_items"] = Answer(
        adjudicate, formula="items needing a third opinion = items double-labelled × disagreement rate",
        work=f"{givens['n_to_label']:,} × {d:.4f} = {adjudicate:,.0f}",
        code="adjudication_items = n_to_label * (1 - observed_agreement)",
        depends_on=("observed_agreement",), recompute=lambda v: givens["n_to_label"] * (1 - v["observed_agreement"]),
        mistakes={"n × (1 − κ): κ read as the agreement rate": givens["n_to_label"] * (1 - kappa),
                  "n × agreement (the items that do NOT need adjudication)": givens["n_to_label"] * p_o})

    cands = givens["candidates"]
    budget = givens["latency_budget_ms"]
    fits = {k: c for k, c in cands.items() if c["p99_latency_ms"] <= budget}
    best_any = max(cands, key=lambda k: cands[k]["pr_auc"])
    if fits:
        choice = max(fits, key=lambda k: fits[k]["pr_auc"])
        why = (f"within {budget:g} ms: " + ", ".join(f"{k} ({c['pr_auc']:.3f}, {c['p99_latency_ms']:g} ms)"
                                                     for k, c in fits.items()) + f" → {choice}")
    else:
        choice = min(cands, key=lambda k: cands[k]["p99_latency_ms"])
        why = f"no candidate meets {budget:g} ms → the fastest, {choice}, and renegotiate the budget"
    a["model_choice"] = Answer(
        choice, formula="the highest validation PR-AUC among the candidates whose p99 latency meets the budget",
        work=why,
        code="fits = {k: c for k, c in candidates.items() if c['p99_latency_ms'] <= latency_budget_ms}\n"
             "model_choice = max(fits, key=lambda k: fits[k]['pr_auc']) if fits else "
             "min(candidates, key=lambda k: candidates[k]['p99_latency_ms'])",
        mistakes={f"{best_any}: the best PR-AUC, ignoring the latency budget": best_any} if best_any != choice
        else {})

    setup = ("n_items = sum(agreement.values())\n"
             "a_pos = (agreement['pos_pos'] + agreement['pos_neg']) / n_items  # A's share of positive labels\n"
             "b_pos = (agreement['pos_pos'] + agreement['neg_pos']) / n_items  # B's share of positive labels\n"
             "print(f'{n_items:,} items; A labels {a_pos:.1%} positive, B {b_pos:.1%}')")
    # worked text reads the same whichever band the interval allows and whichever candidate fits
    over = [f"{k} ({c['p99_latency_ms']:g} ms)" for k, c in cands.items() if c["p99_latency_ms"] > budget]
    facts = {"kappa_ci_low": k.ci_low, "kappa_ci_high": k.ci_high, "n_items": n,
             "disagreements": t["pos_neg"] + t["neg_pos"], "disagreement_rate": d,
             "kappa_ci_reading": f"its 95% interval [{k.ci_low:.3f}, {k.ci_high:.3f}] runs from {low_band} into "
                                 f"{high_band}: the pilot cannot say \"{low_band}\" rather than \"{high_band}\""
             if supported == SPANS_BANDS else
             f"its 95% interval [{k.ci_low:.3f}, {k.ci_high:.3f}] lies inside the {supported} band: the pilot can "
             f"claim \"{supported}\" — this time",
             "model_choice_reason": (f"the best validation PR-AUC ({cands[choice]['pr_auc']:.2f}) among the candidates "
                                     f"within the {budget:g} ms p99 budget" if fits else
                                     f"no candidate meets the {budget:g} ms p99 budget, so the fastest, while the "
                                     "budget is renegotiated")
             + (f"; {' and '.join(over)} {'breaks' if len(over) == 1 else 'break'} it" if over and fits else
                "; every candidate fits it" if not over else "")}
    return Solution(keep_distinct_mistakes(a, TOLERANCE), setup_code=setup, facts=facts)
