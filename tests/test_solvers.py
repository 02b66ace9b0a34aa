"""The first scenarios' answers, derived by hand here and compared with the solvers."""

from __future__ import annotations

import copy

import numpy as np
import pytest
from sklearn.metrics import precision_score, recall_score

from caselab.scenarios import casebook, solvers
from caselab.scenarios.data import sentiment_scores
from caselab.scenarios.spec import Tolerance


def answers(sid: str, givens: dict | None = None) -> dict:
    scenario = casebook.load(sid)
    return {k: a.value for k, a in casebook.solve(scenario, givens).answers.items()}


def test_pinterest_numbers_by_hand():
    a = answers("pinterest-f1-cost")
    positives = 10_000 * 0.08  # 800
    # baseline: P 0.70, R 0.45
    tp = 0.45 * positives  # 360
    fp = tp * (1 - 0.70) / 0.70  # from precision = TP/(TP+FP): 154.2857…
    fn = positives - tp  # 440
    tn = 10_000 - positives - fp  # 9,045.714…
    assert (a["tp_baseline"], a["fn_baseline"]) == pytest.approx((360, 440))
    assert a["fp_baseline"] == pytest.approx(154.2857142857)
    assert a["tn_baseline"] == pytest.approx(tn)
    assert a["f1_baseline"] == pytest.approx(2 * 0.7 * 0.45 / 1.15)  # 0.54783
    assert a["cost_baseline"] == pytest.approx(1 * fp + 5 * fn)  # 2,354.29
    # new: P 0.58, R 0.66
    tp_n = 0.66 * positives  # 528
    fp_n = tp_n * 0.42 / 0.58  # 382.3448…
    assert a["tp_new"] == pytest.approx(528) and a["fn_new"] == pytest.approx(272)
    assert a["fp_new"] == pytest.approx(382.3448275862)
    assert a["f1_new"] == pytest.approx(2 * 0.58 * 0.66 / 1.24)  # 0.61742
    assert a["cost_new"] == pytest.approx(fp_n + 5 * 272)  # 1,742.34
    assert a["deploy"] == "new"
    # follow-ups: break-even C_FN/C_FP where both cost the same
    assert a["break_even_ratio"] == pytest.approx((fp_n - fp) / (440 - 272))  # 1.3575
    assert a["flagged_change"] == pytest.approx((tp_n + fp_n) / (tp + fp) - 1)  # +77.0%
    assert a["bayes_threshold"] == pytest.approx(1 / 6)


def test_changing_a_given_changes_the_answers():
    scenario = casebook.load("pinterest-f1-cost")
    givens = copy.deepcopy(scenario.givens)
    givens["cost_fn"] = 1  # errors cost the same: the higher-precision baseline now wins
    a = answers("pinterest-f1-cost", givens)
    assert a["cost_baseline"] == pytest.approx(154.2857142857 + 440)
    assert a["cost_new"] == pytest.approx(382.3448275862 + 272)
    assert a["deploy"] == "baseline"
    givens["prevalence"] = 0.04
    assert answers("pinterest-f1-cost", givens)["tp_baseline"] == pytest.approx(0.45 * 400)


def test_tiktok_answers_match_an_independent_computation():
    scenario = casebook.load("tiktok-threshold-capacity")
    g = scenario.givens
    a = answers("tiktok-threshold-capacity")
    y, p = sentiment_scores(n=g["n_validation"], prevalence=g["prevalence"], separation=g["separation"],
                            seed=g["seed"])
    assert a["bayes_threshold"] == pytest.approx(g["cost_fp"] / (g["cost_fp"] + g["cost_fn"]))
    # naive scan over every distinct score (plus "flag nothing"), positive ⇔ score ≥ t
    candidates = np.append(np.unique(p), np.inf)
    costs = [g["cost_fp"] * np.sum((p >= t) & (y == 0)) + g["cost_fn"] * np.sum((p < t) & (y == 1))
             for t in candidates]
    best = int(np.argmin(costs))
    assert a["min_cost"] == pytest.approx(costs[best])
    assert a["min_cost_threshold"] == pytest.approx(candidates[best])
    # capacity: 1,000 of 200,000 a day = 0.5% of 20,000 validation items = top 100
    k = g["n_validation"] * g["capacity"] // g["daily_volume"]
    assert a["capacity_k"] == k == 100
    top = np.argsort(-p, kind="stable")[:k]
    assert a["capacity_threshold"] == pytest.approx(p[top].min())
    flagged = (p >= p[top].min()).astype(int)
    assert a["precision_at_capacity"] == pytest.approx(precision_score(y, flagged))
    assert a["recall_at_capacity"] == pytest.approx(recall_score(y, flagged))
    per_day = np.mean(p >= a["bayes_threshold"]) * g["daily_volume"]
    assert a["flagged_per_day_at_bayes"] == pytest.approx(per_day)
    assert per_day > g["capacity"] and a["primary_metric"] == "recall at capacity"
    assert a["diagnostic_metric"] == "PR-AUC"


def test_tiktok_capacity_facts_and_guardrail_by_hand():
    """What the model answer quotes: how hard capacity binds, and why FPR is no guardrail at a fixed k."""
    from sklearn.metrics import confusion_matrix

    scenario = casebook.load("tiktok-threshold-capacity")
    g = scenario.givens
    solution = casebook.solve(scenario)
    facts, a = solution.facts, {k: v.value for k, v in solution.answers.items()}
    y, p = sentiment_scores(n=g["n_validation"], prevalence=g["prevalence"], separation=g["separation"],
                            seed=g["seed"])
    tau = g["cost_fp"] / (g["cost_fp"] + g["cost_fn"])
    per_day = np.count_nonzero(p >= tau) / p.size * g["daily_volume"]
    assert facts["capacity_overload"] == pytest.approx(per_day / g["capacity"])
    assert 25 < facts["capacity_overload"] < 26  # 25,290 flags a day at τ* against 1,000 reviews
    cut = np.sort(p)[::-1][int(a["capacity_k"]) - 1]
    assert a["capacity_threshold"] == pytest.approx(cut) and cut > 0.95  # the marginal post is ~96 % harmful
    # calibrated scores: the expected harmful posts above τ* but below the cut, per day
    band = p[(p >= tau) & (p < cut)]
    assert facts["harmful_unreviewed_per_day"] == pytest.approx(band.sum() / p.size * g["daily_volume"])
    # FPR at the top k is (k − TP)/negatives: one fewer true positive raises it, so it mirrors recall@k
    tn, fp, fn, tp = confusion_matrix(y, (p >= cut).astype(int)).ravel()
    assert facts["fpr_at_k"] == pytest.approx(fp / (fp + tn)) == pytest.approx((a["capacity_k"] - tp) / (fp + tn))
    assert facts["accuracy_flag_nothing"] == pytest.approx(np.mean(y == 0))
    assert a["guardrail_metric"] == "false escalations per user segment"
    assert "false-positive rate" in solution.answers["guardrail_metric"].mistakes.values()
    # the model answer quotes these, not typed numbers
    model = next(q for q in scenario.questions if q.id == "how_answer_changes").model_answer
    assert "{facts.capacity_overload" in model and "25" not in model


def test_tiktok_primary_metric_follows_the_capacity():
    g = copy.deepcopy(casebook.load("tiktok-threshold-capacity").givens)
    g["capacity"] = 150_000  # the team can review more than τ* flags: capacity no longer binds
    assert answers("tiktok-threshold-capacity", g)["primary_metric"] == "expected cost"


def test_weights_and_undersampling_by_hand():
    a = answers("fraud-weights-undersampling")
    n, n_pos = 100_000, 1_000
    n_neg = n - n_pos
    assert a["weight_negative"] == pytest.approx(n / (2 * n_neg))  # 0.50505
    assert a["weight_positive"] == pytest.approx(50.0)
    assert a["per_example_ratio"] == pytest.approx(99.0)  # not 100
    assert a["scale_pos_weight_article"] == pytest.approx(100 * 99)
    # weighted odds q/(1-q) = w·p/(1-p); q = 0.5 ⇔ p = 1/(1+w)
    assert a["threshold_implied_by_article_weight"] == pytest.approx(1 / 9901)
    assert a["bayes_threshold"] == pytest.approx(1 / 101)
    beta = 0.001 / 0.999
    assert a["beta"] == pytest.approx(beta)
    # odds of p_s = 0.9 are 9; undersampling divided true odds by β: true odds = 9β
    assert a["corrected_probability"] == pytest.approx(9 * beta / (1 + 9 * beta))
    # inverse: odds(τ*) / β = (1/100) / β
    odds_s = (1 / 100) / beta
    assert a["threshold_on_undersampled_scores"] == pytest.approx(odds_s / (1 + odds_s))
    assert a["threshold_on_undersampled_scores"] == pytest.approx(0.909, abs=0.001)


def test_per_example_ratio_refuses_the_articles_n_over_n_pos_at_any_prevalence():
    # At prevalence 0.005 the ratio is 199 and n/n_pos = 200: a 1 % relative band accepted both.
    from caselab.practice.grading import check_answer

    scenario = casebook.load("fraud-weights-undersampling")
    q = scenario.question("per_example_ratio")
    for prevalence in (0.005, 0.01, 0.05):
        givens = {**copy.deepcopy(scenario.givens), "prevalence": prevalence}
        answer = casebook.solve(scenario, givens).answers["per_example_ratio"]
        assert answer.value == pytest.approx((1 - prevalence) / prevalence)
        assert check_answer(q, answer, answer.value).passed
        assert not check_answer(q, answer, 1 / prevalence).passed  # the article's n / n_pos


def test_class_weight_has_a_closed_form_correction():
    # The rubric's claim: a positive weight w multiplies the fitted odds by w, so p = p_w / (p_w + w(1 − p_w)).
    from sklearn.linear_model import LogisticRegression

    from caselab.maths.calibration import undersampling_correction

    rng = np.random.default_rng(3)
    X = rng.normal(size=(200_000, 2))
    y = (rng.random(X.shape[0]) < 1 / (1 + np.exp(-(X @ [1.5, -1.0] - 4)))).astype(int)
    w = 20.0
    plain = LogisticRegression(C=1e6, max_iter=1000).fit(X, y).predict_proba(X)[:, 1]
    p_w = LogisticRegression(C=1e6, max_iter=1000, class_weight={0: 1, 1: w}).fit(X, y).predict_proba(X)[:, 1]
    corrected = p_w / (p_w + w * (1 - p_w))
    # equal up to the two fits' sampling noise; the uncorrected weighted scores are far off
    assert np.abs(corrected - plain).mean() < 0.002 and np.abs(corrected - plain).max() < 0.03
    assert np.abs(p_w - plain).mean() > 0.05
    assert np.allclose(corrected, undersampling_correction(p_w, 1 / w))  # the same map, β = 1/w


def test_distinct_mistakes_offers_only_what_the_tolerance_refuses():
    tol = Tolerance(abs=0.01, rel=0.02)  # width 0.02 at truth 1.0, 0.01 at truth 0.1
    kept = solvers.distinct_mistakes(1.0, {"inside": 1.019, "edge": 0.98, "outside": 1.021, "option": "no",
                                           "infinite": float("inf")}, tol)
    assert kept == {"outside": 1.021, "option": "no", "infinite": float("inf")}
    assert solvers.distinct_mistakes(0.1, {"abs floor": 0.109, "beyond": 0.111}, tol) == {"beyond": 0.111}


def test_keep_distinct_mistakes_filters_number_and_choice_answers_alike():
    tol = Tolerance(abs=0.01)
    built = {"rate": solvers.Answer(0.5, mistakes={"inside": 0.505, "outside": 0.52}),
             "choice": solvers.Answer("b", mistakes={"is the key here": "b", "another option": "a"}),
             "unlisted": solvers.Answer(0.5, mistakes={"inside, but no tolerance named": 0.505})}
    kept = solvers.keep_distinct_mistakes(built, {"rate": tol})
    assert list(kept) == ["rate", "choice", "unlisted"]
    assert kept["rate"].mistakes == {"outside": 0.52} and kept["rate"].value == 0.5
    assert kept["choice"].mistakes == {"another option": "a"}
    assert kept["unlisted"] is built["unlisted"]  # unchanged answers are passed through
    assert built["rate"].mistakes == {"inside": 0.505, "outside": 0.52}  # the solver's own answer is not changed


def test_a_mistake_is_dropped_exactly_when_the_givens_put_it_inside_the_band():
    # C_FP/C_FN is τ*·(1 + C_FP/C_FN): 1 % off at a cost ratio of 100 (outside ±0.5 %), 0.5 % at 200 (inside)
    scenario = casebook.load("fraud-weights-undersampling")
    mistake = "C_FP / C_FN"
    assert mistake in casebook.solve(scenario).answers["bayes_threshold"].mistakes
    at_200 = casebook.solve(scenario, {**copy.deepcopy(scenario.givens), "cost_fn": 200})
    assert mistake not in at_200.answers["bayes_threshold"].mistakes
    # a break-even ratio near 1 is its own inverse; far from 1 the inverse is named
    follow_ups = casebook.load("pinterest-follow-ups")
    base = casebook.solve(follow_ups).answers["break_even_ratio"]
    assert abs(base.value - 1) > 0.05 and "the inverse ratio (C_FP/C_FN)" in base.mistakes


def test_a_solvers_mistake_filter_uses_the_tolerance_its_specs_grade_with():
    # distinct_mistakes needs the question's tolerance; a solver keeps it in TOLERANCE, which must not drift
    # from the specs (a wider spec tolerance would let a mistake pass, a narrower one hide a mistake needlessly)
    checked = 0
    for name in solvers.available():
        tolerance = getattr(solvers.get(name), "TOLERANCE", None)
        if tolerance is None:
            continue
        asked = set()
        for scenario in casebook.load_all():
            if scenario.solver != name:
                continue
            for q in scenario.questions:
                if q.id in tolerance:
                    assert q.accepted == tolerance[q.id], (
                        f"{scenario.id}: {q.id} is graded within {q.accepted.describe()}, but solver {name} filters "
                        f"its mistakes with {tolerance[q.id].describe()}")
                    asked.add(q.id)
                    checked += 1
        assert asked == set(tolerance), f"solver {name}: TOLERANCE names questions no spec asks: " \
                                        f"{sorted(set(tolerance) - asked)}"
    assert checked >= 10


def test_every_solver_declares_its_givens_and_answers():
    for name in solvers.available():
        module = solvers.get(name)
        assert module.GIVENS and module.ANSWERS and callable(module.solve)
