"""The rubric coach: its matching rules, the casebook's evidence, and its agreement with careful human grading."""

from __future__ import annotations

import importlib.util
import sys
import time
from pathlib import Path

import pytest

import caselab
from caselab.practice import coach
from caselab.practice.coach import PASS_MARK, assess, assess_text, find_numbers, format_report
from caselab.scenarios import casebook
from caselab.scenarios.spec import Question, RubricPoint, evidence_alternatives, fill

ROOT = Path(__file__).resolve().parents[1]

# Points whose model answer does not (yet) make the point: the coach can quote nothing for them. Each entry
# says why; the test below fails once the gap is closed, so the entry is removed with the fix.
KNOWN_GAPS = {
    ("tiktok-sentiment-postmortem-buckets", "two_failure_modes", 5):
        "the model answer never discusses label noise / annotator agreement inside hard buckets",
}


def _bench():
    spec = importlib.util.spec_from_file_location("bench_coach", ROOT / "benchmarks" / "bench_coach.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # (its dataclasses look their module up)
    spec.loader.exec_module(module)
    return module


def rubric_questions():
    for s in casebook.load_all():
        for q in s.questions:
            if q.kind == "rubric":
                yield s, q


def question(points, model_answer="A model answer that says nothing in particular.") -> Question:
    rubric = tuple(p if isinstance(p, RubricPoint) else RubricPoint(f"point {i}", tuple(p))
                   for i, p in enumerate(points, 1))
    return Question(id="q", kind="rubric", prompt="?", points=tuple(p.text for p in rubric), rubric=rubric,
                    model_answer=model_answer)


def covered(points, text, **kw) -> list[bool]:
    return [p.covered for p in assess_text(question(points), text, **kw).points]


# --------------------------------------------------------------------------------------------------
# The casebook's evidence
# --------------------------------------------------------------------------------------------------
def test_every_rubric_point_in_the_casebook_declares_evidence():
    n = 0
    for s, q in rubric_questions():
        assert q.rubric and len(q.rubric) == len(q.points)
        for point in q.rubric:
            n += 1
            assert point.evidence, f"{s.id}:{q.id}: the point {point.text!r} declares no evidence"
            for group in point.evidence:
                for alt in evidence_alternatives(group):
                    coach.compile_phrase(alt)  # raises on a phrase that can match nothing
    assert n >= 190


@pytest.mark.parametrize("sid,qid", [(s.id, q.id) for s, q in rubric_questions()])
def test_the_model_answer_covers_every_point_and_quotes_it(sid, qid):
    scenario = casebook.load(sid)
    q = scenario.question(qid)
    solution = casebook.solve(scenario)
    report = assess(q, fill(q.model_answer, solution.prose_givens(scenario.givens)), scenario, solution)
    sentences = coach.model_sentences(q, solution.prose_givens(scenario.givens))
    for k, (point, result) in enumerate(zip(q.rubric, report.points, strict=True), 1):
        gap = KNOWN_GAPS.get((sid, qid, k))
        quote = coach._quote(point, sentences)
        if gap:
            assert not result.covered, f"{sid}:{qid} point {k} is covered now: remove it from KNOWN_GAPS"
            continue
        assert result.covered, f"{sid}:{qid} point {k} ({point.text!r}): {result.reason}"
        assert quote and all(part in " ".join(sentences) for part in quote.split(" … ")), (sid, qid, k)
    if not any(key[:2] == (sid, qid) for key in KNOWN_GAPS):
        assert report.coverage == 1.0


def test_a_missing_point_quotes_the_model_answer_sentence_that_makes_it():
    scenario = casebook.load("tiktok-threshold-capacity")
    q = scenario.question("how_answer_changes")
    report = assess(q, "With a fixed review capacity I would rank the posts and send the top 1,000 each day.",
                    scenario, casebook.solve(scenario))
    costs = report.points[2]  # points: imbalance, threshold vs prevalence, costs, capacity, overload, guardrails
    assert not costs.covered and "C_FP / (C_FP + C_FN)" in costs.model_sentence
    assert report.points[3].covered and report.points[3].model_sentence == ""


# --------------------------------------------------------------------------------------------------
# Matching rules
# --------------------------------------------------------------------------------------------------
def test_phrases_match_on_words_after_normalising():
    pts = [["pr-auc | average precision"], ["threshold"], ["c_fp/(c_fp + c_fn)"], ["p99 latency"]]
    assert covered(pts, "We would compare the PR‐AUC of both, and the thresholds are set from costs; the "
                        "Bayes cut is C_FP / (C_FP + C_FN); the P99 latency is the budget.") == [True] * 4
    # word boundaries: 'threshold' is not inside 'thresholdless'? a long word matches as a word start, so it is
    assert covered([["auc"]], "We would look at the aucpr number here.") == [False]
    assert covered([["cost"]], "The costs of the errors are known.") == [True]  # plural


def test_prefix_infix_and_same_sentence_conjunction():
    assert covered([["*calibrat*"]], "We must recalibrate it on fresh data.") == [True]
    assert covered([["calib*"]], "It is miscalibrated at the moment.") == [False]
    assert covered([["platt & held-out"]], "We fit Platt scaling. It is checked on held-out data.") == [False]
    assert covered([["platt & held-out"]], "We fit Platt scaling on the held-out data.") == [True]
    assert covered([["re:0\\.0?6\\d*"]], "The cut is at 0.0625 for these costs.") == [True]


def test_negation_and_dismissal_void_a_match():
    pts = [["*calibrat*"]]
    assert covered(pts, "You don't need to calibrate the scores here.") == [False]
    assert covered(pts, "We would never recalibrate this model.") == [False]
    assert covered(pts, "For this model calibration doesn't matter at all.") == [False]
    assert covered(pts, "Not only would we recalibrate the scores, we would also check them.") == [True]
    assert covered([["not accuracy"]], "We would judge it by recall, not accuracy.") == [True]


def test_against_voids_a_point_unless_the_claim_is_refuted_or_quoted():
    point = RubricPoint("ROC-AUC vs prevalence", ("roc-auc", "prevalence"),
                        against=("re:roc-?auc is robust to (class )?imbalance",))
    wrong = "ROC-AUC is robust to imbalance, so it ignores the prevalence and we can use it everywhere."
    assert covered([point], wrong) == [False]
    report = assess_text(question([point]), wrong)
    assert "asserts the opposite" in report.points[0].reason
    refuted = ('People say "ROC-AUC is robust to imbalance", which is wrong: the ROC-AUC ignores the '
               "prevalence, and that hides the low-FPR region.")
    assert covered([point], refuted) == [True]


def test_a_bare_keyword_list_covers_nothing():
    pts = [["pr-auc"], ["threshold"], ["*calibrat*"], ["capacity"], ["monitor*"]]
    keywords = ["PR-AUC, threshold, calibration, capacity, monitoring, drift",
                "- PR-AUC\n- threshold\n- calibration\n- capacity\n- monitoring",
                "PR-AUC. Threshold. Calibration. Capacity. Monitoring.",
                "I would mention PR-AUC, thresholds, calibration, capacity, monitoring and drift."]
    for text in keywords:
        report = assess_text(question(pts), text)
        assert report.covered <= 1 and not report.reaches_pass_mark, (text, report.covered)
    assert assess_text(question(pts), keywords[0]).keyword_list
    prose = ("I would compare models on PR-AUC, set the threshold from the costs, check the calibration "
             "first, respect the review capacity and monitor the flag rate after launch.")
    assert assess_text(question(pts), prose).coverage == 1.0


def test_parts_of_a_point_must_be_said_together():
    pts = [["platt | isotonic", "held-out"]]
    together = "I would fit Platt scaling on a held-out slice."
    apart = ("I would fit Platt scaling. The model is a boosted tree. It serves in 20 ms. "
             "Our data is held-out for a month.")
    assert covered(pts, together) == [True]
    report = assess_text(question(pts), apart)
    assert not report.points[0].covered and "far apart" in report.points[0].reason


@pytest.mark.parametrize("text,value", [
    ("0.0625", 0.0625), ("6.25%", 0.0625), ("2/32", 0.0625), ("1 in 21", 1 / 21), ("1e-4", 1e-4),
    ("147k users", 147_000), ("1,179 misses", 1179), ("5 pp", 0.05), ("6.25 percent", 0.0625)])
def test_numbers_as_people_write_them(text, value):
    assert any(abs(v - value) < 1e-12 for v, _ in find_numbers(text))


def test_a_number_point_needs_the_value_within_tolerance_or_rounded_as_written():
    point = RubricPoint("the Bayes cut", ("bayes | threshold",), number="cut")
    q = question([point])
    assert covered([point], "The Bayes threshold is 0.0625 here.", answers={"cut": 0.0625}) == [True]
    assert covered([point], "The Bayes threshold is about 6% here.", answers={"cut": 0.0625}) == [True]
    assert covered([point], "The Bayes threshold is 2/32 here.", answers={"cut": 0.0625}) == [True]
    report = assess_text(q, "The Bayes threshold is 0.1 here.", answers={"cut": 0.0625})
    assert not report.points[0].covered and "0.0625" in report.points[0].reason
    assert covered([point], "The Bayes threshold is what matters.", answers={"cut": 0.0625}) == [False]
    assert covered([point], "The Bayes threshold is 67,800.", answers={"cut": 67_773}) == [True]  # rounded
    assert covered([point], "The Bayes threshold is 80,700.", givens={"cut": 67_773}) == [False]
    assert covered([point], "The Bayes threshold is 68,000.", givens={"cut": 67_773}) == [True]  # to thousands


def test_points_without_evidence_are_not_judged():
    q = question([RubricPoint("plain string point"), RubricPoint("judged", ("recall",))])
    report = assess_text(q, "We would report the recall at the capacity.")
    assert [p.status for p in report.points] == ["not_judged", "covered"]
    assert report.judged == 1 and report.coverage == 1.0


def test_the_report_is_labelled_an_estimate_and_names_the_question():
    scenario = casebook.load("tiktok-threshold-capacity")
    q = scenario.question("how_answer_changes")
    text = format_report(assess(q, "I would send the top 1,000 posts by score to the reviewers each day.",
                                scenario))
    assert text.startswith("Coach on how_answer_changes (automatic estimate")
    assert "1 of 6 rubric points found — coverage 17%" in text and "pass mark 60%" in text and "✘ 1." in text and "✔ 4." in text


# --------------------------------------------------------------------------------------------------
# Against careful human grading (the labelled corpus) — the goals of issue 13
# --------------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def graded():
    bench = _bench()
    corpus = bench.load_corpus()
    assert len(corpus) >= 12 and all(len(c["data"]["answers"]) >= 6 for c in corpus)
    return bench, bench.grade_corpus(corpus)


def test_the_coach_agrees_with_careful_grading(graded):
    bench, rows = graded
    for part in (rows, [g for g in rows if g.split == "heldout"]):
        s = bench.scores(part)
        assert s["f1"] >= bench.GOALS["f1"], s
        assert s["kappa"] >= bench.GOALS["kappa"], s


def test_keyword_lists_and_fluent_wrong_answers_never_pass(graded):
    _, rows = graded
    tricky = [g for g in rows if g.kind in ("keywords", "fluent-wrong")]
    assert len(tricky) >= 24
    assert [f"{g.file}:{g.kind} {g.coverage:.0%}" for g in tricky if g.coverage >= PASS_MARK] == []


def test_deterministic_and_fast(graded):
    _, rows = graded
    corpus = _bench().load_corpus()
    scenario, q = corpus[0]["scenario"], corpus[0]["question"]
    texts = [a["text"] for a in corpus[0]["data"]["answers"]]
    assert [assess(q, t, scenario).points for t in texts] == [assess(q, t, scenario).points for t in texts]
    slowest = 0.0
    for entry in corpus:  # best of three per answer: the machine is shared, a hiccup is not the coach
        solution = casebook.solve(entry["scenario"])
        for a in entry["data"]["answers"]:
            best = min(_timed(entry["question"], a["text"], entry["scenario"], solution) for _ in range(3))
            slowest = max(slowest, best)
    assert slowest < 0.050, f"slowest answer took {slowest * 1000:.1f} ms"


def _timed(q, text, scenario, solution) -> float:
    start = time.perf_counter()
    assess(q, text, scenario, solution)
    return time.perf_counter() - start


# --------------------------------------------------------------------------------------------------
# The learner's API: feedback, not a score
# --------------------------------------------------------------------------------------------------
def test_check_shows_the_coach_and_leaves_the_score_to_the_learner(tmp_path, monkeypatch):
    monkeypatch.setenv("CASELAB_HOME", str(tmp_path))
    case = caselab.case("tiktok-threshold-capacity")
    fb = case.check("how_answer_changes", "I would send the top 1,000 posts by score to the reviewers each day.")
    assert fb.status == "answered" and not fb.passed
    assert fb.message.startswith("answered, not scored")
    assert "Coach on how_answer_changes (automatic estimate" in fb.message
    assert str(fb).startswith("✎ how_answer_changes:")
    scored = case.score("how_answer_changes", [1, 2, 4, 6])
    assert scored.passed and "self-scored 4/6" in scored.message and "coach estimated 17%" in scored.message
    assert not case.score("how_answer_changes", [1, 2, 4]).passed  # 3 of 6 is below the 60% pass mark
    assert not case.score("how_answer_changes", 2).passed
    with pytest.raises(ValueError, match="how_answer_changes has 6 rubric points"):
        case.score("how_answer_changes", 7)
    with pytest.raises(ValueError, match="7 not a point number of how_answer_changes"):
        case.score("how_answer_changes", [1, 7])
    with pytest.raises(ValueError, match="case.score is for open"):
        case.score("bayes_threshold", 1)


def test_the_journal_records_the_self_score_not_the_coach(tmp_path, monkeypatch):
    from caselab.practice import journal

    monkeypatch.setenv("CASELAB_HOME", str(tmp_path))
    case = caselab.case("tiktok-threshold-capacity")
    case.check("how_answer_changes", "I would send the top 1,000 posts by score to the reviewers each day.")
    assert "how_answer_changes" not in journal.load()["scenarios"].get("tiktok-threshold-capacity", {})
    case.score("how_answer_changes", 4)
    q = journal.load()["scenarios"]["tiktok-threshold-capacity"]["how_answer_changes"]
    assert (q["attempts"], q["passed"], q["last_status"]) == (1, 1, "passed")


def test_a_point_that_is_itself_a_negation_is_made_by_negating():
    point = RubricPoint("Validity: no peeking at the results", ("peek",))
    assert covered([point], "I don't peek at the dashboard before the fixed horizon.") == [True]
    assert covered([["peek"]], "I don't peek at the dashboard before the fixed horizon.") == [False]


def test_spoken_fractions_and_numbers_cut_short():
    assert covered([["2/32"]], "The cut is 2 over 32 for these costs.") == [True]
    assert covered([["80,7"]], "We need about 80,700 buyers per arm.") == [True]
    assert covered([["80,7"]], "We need about 81,700 buyers per arm.") == [False]
