"""What to review, and when: every question is a card scheduled by FSRS (the scheduler Anki uses).

Each thing a learner does with a question is a *review* with a rating:

======================  =========================================================================
event                   rating
======================  =========================================================================
check, correct          Easy if first try, no hint, no solution and quick; Good if first try;
                        Hard after earlier misses or a hint
check, not correct      Again (``consistent`` — right method on a wrong earlier value — is Hard)
hint viewed             Hard (help was needed; the card comes back sooner)
solution viewed         Again
mock answer             as a check, timed by the mock's clock; a late answer is at best Hard
self-score (open)       share of rubric points claimed: ≥ 0.8 Good, ≥ 0.5 Hard, else Again
======================  =========================================================================

``...`` (not answered) is no review. "Quick" is under :data:`QUICK_SECONDS` for the question's kind.
The cards live in the journal (:mod:`caselab.practice.journal`); this module only computes — it
never reads or writes a file — so it is easy to test with simulated learners.

Reference: J. Ye, "A Stochastic Shortest Path Algorithm for Optimizing Spaced Repetition Scheduling"
(KDD 2022), and the ``fsrs`` package (py-fsrs).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from fsrs import Card, Rating, Scheduler

__all__ = ["QUICK_SECONDS", "rating_for", "card_key", "review", "new_card", "due_cards", "retention",
           "retention_by", "retention_chart", "DueCard", "scheduler"]

# Seconds under which a correct first answer counts as "easy" (an open answer is spoken: longer).
QUICK_SECONDS = {"number": 90.0, "choice": 45.0, "decision": 45.0, "rubric": 240.0}

_SCHEDULER: Scheduler | None = None


def scheduler() -> Scheduler:
    """The one scheduler: FSRS defaults, 90 % desired retention, no fuzzing (reproducible due dates)."""
    global _SCHEDULER
    if _SCHEDULER is None:
        _SCHEDULER = Scheduler(desired_retention=0.9, enable_fuzzing=False)
    return _SCHEDULER


def card_key(scenario: str, question: str) -> str:
    return f"{scenario}/{question}"


def rating_for(event: str, status: str | None = None, *, kind: str = "number", seconds: float | None = None,
               earlier_misses: int = 0, hints: int = 0, solutions: int = 0, late: bool = False,
               score: float | None = None) -> Rating | None:
    """The FSRS rating of one event (see the module's table); ``None`` when it is no review.

    ``earlier_misses``/``hints``/``solutions``: what the learner did with this question before, since
    it was last answered correctly. ``score``: the share of rubric points a self-score claims (0–1).
    """
    if event == "hint":
        return Rating.Hard
    if event == "solution":
        return Rating.Again
    if event == "self_score":
        if score is None:
            return None
        return Rating.Good if score >= 0.8 else Rating.Hard if score >= 0.5 else Rating.Again
    if event not in ("check", "mock"):
        raise ValueError(f"unknown event {event!r}: use check, mock, hint, solution or self_score")
    if status in (None, "not_answered", "answered_not_scored"):
        return None  # `...`, or an open answer waiting for its self-score
    if status == "consistent":
        return Rating.Hard
    if status != "passed":
        return Rating.Again
    if solutions:
        return Rating.Hard
    if earlier_misses or hints:
        return Rating.Hard
    if late:
        return Rating.Hard
    quick = seconds is not None and seconds <= QUICK_SECONDS.get(kind, 90.0)
    return Rating.Easy if quick else Rating.Good


def new_card() -> dict:
    return Card().to_dict()


def review(card: dict | None, rating: Rating, when: datetime | None = None) -> dict:
    """The card (as stored in the journal) after one review with ``rating`` at ``when`` (default: now)."""
    when = when or datetime.now(UTC)
    c = Card.from_dict(card) if card else Card()
    c, _log = scheduler().review_card(c, rating, when)
    return c.to_dict()


@dataclass(frozen=True)
class DueCard:
    scenario: str
    question: str
    due: datetime
    retrievability: float  # the estimated chance of recalling it now

    @property
    def overdue_days(self) -> float:
        return (datetime.now(UTC) - self.due).total_seconds() / 86400


def _card(data: dict) -> Card:
    return Card.from_dict(data)


def due_cards(cards: dict[str, dict], now: datetime | None = None) -> list[DueCard]:
    """Cards due at ``now`` (default: now), most forgotten first (lowest estimated retention)."""
    now = now or datetime.now(UTC)
    out = []
    for key, data in cards.items():
        c = _card(data)
        if c.due <= now:
            scenario, _, question = key.partition("/")
            out.append(DueCard(scenario, question, c.due, scheduler().get_card_retrievability(c, now)))
    return sorted(out, key=lambda d: (d.retrievability, d.due))


def retention(cards: Iterable[dict], now: datetime | None = None) -> float | None:
    """The mean estimated retention (probability of recall now) of ``cards``; None if there are none."""
    now = now or datetime.now(UTC)
    values = [scheduler().get_card_retrievability(_card(c), now) for c in cards]
    return sum(values) / len(values) if values else None


def retention_by(cards: dict[str, dict], groups: dict[str, Iterable[str]], now: datetime | None = None
                 ) -> dict[str, tuple[float, int]]:
    """``{group: (mean retention, cards seen)}`` where ``groups`` maps a scenario id to its groups
    (its topics, or its seed questions). Groups with no card seen are left out."""
    members: dict[str, list[dict]] = {}
    for key, data in cards.items():
        scenario = key.partition("/")[0]
        for g in groups.get(scenario, ()):
            members.setdefault(g, []).append(data)
    return {g: (retention(cs, now), len(cs)) for g, cs in sorted(members.items())}


def retention_chart(cards: dict[str, dict], groups: dict[str, Iterable[str]], now: datetime | None = None,
                    title: str = "Estimated retention by topic"):
    """A horizontal bar chart (matplotlib Figure) of :func:`retention_by` — for ``case.progress()`` and
    the start-here notebook; the terminal's ``caselab progress`` draws the same as text."""
    from matplotlib.figure import Figure  # no pyplot: the figure is returned, shown where it is displayed

    rows = sorted(retention_by(cards, groups, now).items(), key=lambda kv: kv[1][0])
    fig = Figure(figsize=(6, 0.35 * max(len(rows), 1) + 1.0))
    ax = fig.subplots()
    if rows:
        names = [f"{g} ({n})" for g, (_, n) in rows]
        values = [r for _, (r, _) in rows]
        ax.barh(names, values, color=["#cf222e" if v < 0.8 else "#1a7f37" for v in values])
        ax.axvline(scheduler().desired_retention, color="#6e7781", linestyle="--", linewidth=1)
    ax.set_xlim(0, 1)
    ax.set_xlabel("chance of recalling the answer today (FSRS); dashed: the 90 % target")
    ax.set_title(title if rows else "No reviews yet")
    fig.tight_layout()
    return fig
