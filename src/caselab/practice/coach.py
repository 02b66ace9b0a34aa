"""The rubric coach: point-by-point feedback on a written answer to an open question.

Each rubric point of a spec may declare the *evidence* that shows it (see docs/AUTHORING.md)::

    [[questions.points]]
    text = "Severe imbalance: judge with PR-AUC / precision and recall at the operating point, not accuracy."
    evidence = ["pr-auc | average precision | precision and recall", "operating point | threshold*"]
    number = "bayes_threshold"      # optional: a value the answer must state (an answer id or a given)
    against = ["re:accuracy is (fine|good|the right metric)"]   # optional: one phrase each; a match voids the point

:func:`assess` reads a learner's text and says, for every point, whether its evidence is there — every
group found, the number stated within tolerance, no ``against`` phrase asserted — and if not, why not and
which sentence of the model answer makes the point. The result is an **automatic estimate**: feedback
to revise with, never the score. The learner's self-score (``case.score``) stays the score.

How a phrase matches (the full rules, with examples: docs/AUTHORING.md)
    Text and phrase are normalised alike (Unicode NFKC, lowercase, one dash, ``≥`` as ``>=``, Markdown
    marks dropped, "2 over 32" as ``2/32``) and split into word tokens, compared after a light plural
    stemming. A plain word of four or more letters also matches the words it starts (``calibrat``:
    calibrated); ``word*`` forces a prefix, ``*word*`` an infix. A phrase's words appear in order in one
    sentence, at most one other word between two of them (none between hyphen-joined words). ``a & b``
    needs both phrases in one sentence; ``re:`` starts a regular expression on the normalised text. A
    point's groups must lie within two consecutive sentences (or one per group): one claim, not scattered
    words.

Negation and dismissal
    A match preceded by *not / no / never / without / …n't* (directly, one word before, or across bridge
    words: "don't need to calibrate") or followed by a dismissal ("… doesn't matter", "… can be ignored")
    does not count; "not only" does not negate. A phrase starting with a negator ("not accuracy") is
    matched as written, and so is a word the point itself negates ("no peeking" → "I don't peek").

Claims, not keywords
    Evidence counts only inside a *claim*: a sentence with relating words (:data:`RELATING_WORDS`;
    *and*/*or* do not relate), or a worked equation; a unit of four words or fewer needs a determiner,
    auxiliary, pronoun or subordinator (:data:`STRICT_RELATING`). A sentence that is mostly a
    comma-separated run of terms is split into its items, and a bare item counts only for a point that
    the sentence's opening claim anchors. A bare keyword list therefore covers nothing, and the report
    says the answer reads as a list.

Performance: pure Python, no model, no network; about a millisecond per answer (benchmarks/bench_coach.py).
"""

from __future__ import annotations

import functools
import math
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from caselab.scenarios import casebook
from caselab.scenarios.spec import Question, RubricPoint, Tolerance, evidence_alternatives, fill

__all__ = ["PASS_MARK", "CoachReport", "PointResult", "assess", "assess_text", "find_numbers",
           "compile_phrase", "format_report", "model_sentences", "normalise", "ESTIMATE_LABEL"]

PASS_MARK = 0.6  # share of rubric points an answer needs to pass — self-scored (mock, case.score) or estimated
ESTIMATE_LABEL = "automatic estimate — feedback, not your score"
NUMBER_TOLERANCE = Tolerance(rel=0.02)  # a number point that names a given (not a question) is read within 2%

NEGATORS = frozenset({"not", "no", "never", "without", "nor", "cannot", "neither", "none", "nothing"})
RELATING_WORDS = frozenset("""
a an the this that these those each every its their our your his her my any some such both either
is are was were be been being am do does did has have had would will can could should must may might shall
i we you it they he she me us them one
of to in on at by for with from than into onto against per under over below above about after before between
through within without across via as like until toward towards upon off out up down among
because so since if when whenever which while whereas unless then where who whom whose what why how
not no never only also still even just very too rather
nobody everybody everyone someone anyone nothing something everything anything
""".split())

# The words that make a unit a claim even when it is short or an item of a list: determiners, auxiliaries and
# modals, pronouns, subordinators, negators. Prepositions and adverbs build noun phrases ("recall at capacity",
# "training folds only"), so they do not count there.
STRICT_RELATING = frozenset("""
a an the this that these those each every its their our your his her my any some such both either
is are was were be been being am do does did has have had would will can could should must may might shall
i we you it they he she me us them one nobody everybody everyone someone anyone nothing something everything
because so since if when whenever which while whereas unless then where who whom whose what why how not no never
""".split())
SHORT_UNIT = 4  # a unit of at most this many words needs a strict relating word to be a claim
DISMISSALS = re.compile(r"^(?:\S+ ){0,3}(?:(?:is|are|was|were|be|seems?)\s+)?(?:(?:not|n't)\s+(?:really\s+|so\s+|that\s+)?"
                        r"(?:a problem|an issue|important|needed|necessary|required|relevant|matter)|"
                        r"(?:doesn't|does not|don't|do not|won't|will not)\s+(?:really\s+)?matter|unnecessary|irrelevant|"
                        r"can be ignored|(?:is|are) negligible|negotiable|overrated)")
PREFIX_MIN = 4  # plain words this long match as word starts
PROXIMITY = 2  # a point's evidence groups must lie within this many consecutive sentences (one claim, not scattered)

_SPOKEN_FRACTION = re.compile(r"(\d)\s+(?:over|divided by)\s+(\d)")
_DASHES = dict.fromkeys(map(ord, "‐‑‒–—―−﹣－"), "-")
_SYMBOLS = {"≥": " >= ", "≤": " <= ", "≠": " != ", "×": " x ", "’": "'", "‘": "'", "“": '"', "”": '"', "…": "...",
            "→": " -> ", "≈": " ~ "}
_TOKEN = re.compile(r"[a-z0-9α-ωµ]+(?:[.,'][a-z0-9α-ωµ]+)*")
# Sentence breaks: end punctuation, a blank line, or a new list item; a hard-wrapped line is not a break.
_SENTENCE_END = re.compile(r"(?<=[.!?;])\s+(?=\S)|\n\s*\n\s*|\n\s*(?:[-*+•]|\d+[.)])\s+|^\s*(?:[-*+•]|\d+[.)])\s+")
_EQUATION = re.compile(r"=\s*[-+]?[$€£]?\d")  # "= 154.3": a result worked out, not "baseline = prevalence"
_REFUTED = re.compile(r"\b(not true|untrue|wrong|myth|false|incorrect|misconception|not the case|mistaken|"
                      r"disagree|do not believe|don't believe|is a mistake)\b")


def normalise(text: str) -> str:
    """Text as the coach compares it: NFKC, lowercase, one dash, symbols spelled out, Markdown marks gone."""
    text = unicodedata.normalize("NFKC", text).translate(_DASHES)
    for sym, rep in _SYMBOLS.items():
        text = text.replace(sym, rep)
    text = text.replace("**", "").replace("`", "").replace("__", " ")
    text = _SPOKEN_FRACTION.sub(r"\1/\2", text.lower())  # "2 over 32", "2 divided by 32" → 2/32
    return text


def _stem(token: str) -> str:
    """A light, symmetric stemming: possessives and plurals (``thresholds`` → ``threshold``)."""
    if token.endswith("'s"):
        token = token[:-2]
    if len(token) > 4 and token.endswith("ies"):
        return token[:-3] + "y"
    if len(token) > 3 and token.endswith("s") and not token.endswith(("ss", "us", "is")) and not token[-2].isdigit():
        return token[:-1]
    return token


@dataclass(frozen=True)
class _Sentence:  # not slots: cached_property needs a __dict__
    start: int  # character offset in the normalised text
    end: int
    tokens: tuple[str, ...]  # raw tokens
    stems: tuple[str, ...]
    prose: bool  # a claim (relating words, or an equation), not a bare list of terms
    index: int = 0  # the sentence it belongs to (the items of a list share their sentence's index)
    listed: bool = False  # a bare item of a list whose sentence also holds a claim (its head)

    @functools.cached_property
    def stem_set(self) -> frozenset[str]:
        return frozenset(self.stems)

    @functools.cached_property
    def joined(self) -> str:
        return " " + " ".join(self.tokens)


def _is_claim(tokens: list[str] | tuple[str, ...]) -> bool:
    """Whether a unit of words relates them (see the module docstring): short units need a strict relating word."""
    words = [t for t in tokens if not t[0].isdigit()]
    if not words:
        return False
    if len(words) <= SHORT_UNIT:
        return any(t in STRICT_RELATING or t.endswith("n't") for t in words)
    relating = sum(t in RELATING_WORDS or t.endswith("n't") for t in words)
    return relating >= max(1.0, len(words) / 15)


def _tokens(chunk: str) -> tuple[str, ...]:
    return tuple(t for t in (m.group(0).strip(".,'") for m in _TOKEN.finditer(chunk)) if t)


def _is_list(items: list[tuple[str, ...]]) -> bool:
    """A run of comma-separated terms: four or more items, most of them no claim of their own."""
    return len(items) >= 4 and sum(1 for i in items if not _is_claim(i)) >= 0.6 * len(items)


def _sentences(norm: str) -> list[_Sentence]:
    """The answer's units: sentences, and inside a list-like sentence its comma-separated items (a framing
    clause keeps its words; a bare term in the list is no claim)."""
    out = []
    pos = 0
    bounds = [(m.start(), m.end()) for m in _SENTENCE_END.finditer(norm)] + [(len(norm), len(norm))]
    for index, (b_start, b_end) in enumerate(bounds):
        chunk = norm[pos:b_start]
        pieces = [(pos + m.start(), pos + m.end()) for m in re.finditer(r"[^,:]+", chunk)]
        is_list = _is_list([_tokens(norm[a:b]) for a, b in pieces])
        units = []
        for a, b in pieces if is_list else [(pos, b_start)]:
            toks = _tokens(norm[a:b])
            if toks:  # a computation ("fp = 360 x 0.30/0.70 = 154.3") states something too
                claim = _is_claim(toks) or _EQUATION.search(norm, a, b) is not None
                units.append(_Sentence(a, b, toks, tuple(_stem(t) for t in toks), claim, index))
        if is_list and units and units[0].prose:  # a list after a claiming head elaborates that claim
            units = [u if u.prose else _Sentence(u.start, u.end, u.tokens, u.stems, False, index, True)
                     for u in units]
        out += units
        pos = b_end
    return out


# --------------------------------------------------------------------------------------------------
# Phrases
# --------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Phrase:
    source: str
    words: tuple[tuple[str, str], ...] = ()  # (kind, stem): kind "=" exact stem, "^" prefix, "~" infix
    joined: tuple[bool, ...] = ()  # per word: glued to the previous one in the phrase (no word may come between)
    regex: re.Pattern | None = None
    parts: tuple[_Phrase, ...] = ()  # "a & b": all in one sentence

    @functools.cached_property
    def exact(self) -> frozenset[str]:
        return frozenset(stem for kind, stem in self.words if kind == "=")

    @property
    def negated_by_design(self) -> bool:
        return bool(self.words) and (self.words[0][1] in NEGATORS or self.words[0][1].endswith("n't"))


@functools.lru_cache(maxsize=4096)
def compile_phrase(source: str) -> _Phrase:
    """One evidence alternative compiled; raises ValueError with the reason when it cannot match anything."""
    s = source.strip()
    if s.startswith("re:"):
        try:
            return _Phrase(source, regex=re.compile(s[3:]))
        except re.error as e:
            raise ValueError(f"regular expression {s[3:]!r} does not compile: {e}") from None
    if "&" in s:
        parts = tuple(compile_phrase(p) for p in s.split("&"))
        return _Phrase(source, parts=parts)
    words, joined = [], []  # joined[k]: word k is glued to word k-1 (a hyphen, slash or '_'): no gap allowed
    for chunk in normalise(s).split():
        for n, raw in enumerate(re.split(r"[\-/_]+", chunk)):
            raw = raw.strip(".,;:()\"")
            if not raw:
                continue
            if raw.startswith("*") and raw.endswith("*") and len(raw) > 2:
                new = [("~", raw.strip("*"))]
            elif raw.endswith("*") and len(raw) > 1:
                new = [("^", raw[:-1])]
            else:
                new = [("^", _stem(m.group(0))) if _prefix_ok(m.group(0)) else
                       ("^", m.group(0)) if re.fullmatch(r"\d+,\d{1,2}", m.group(0)) else  # "80,7": a number cut short
                       ("=", _stem(m.group(0))) for m in _TOKEN.finditer(raw)]
            for m, w in enumerate(new):
                joined.append(bool(words) and (n > 0 or m > 0))
                words.append(w)
    if not words:
        raise ValueError(f"phrase {source!r} has no words")
    return _Phrase(source, words=tuple(words), joined=tuple(joined))


def _prefix_ok(word: str) -> bool:
    """A long plain word also matches the words it starts (``calibrat`` → calibrated, ``threshold`` →
    thresholding): a stemmer's reach without its tables. Numbers and short words match whole."""
    return PREFIX_MIN > 0 and len(word) >= PREFIX_MIN and word.isalpha()


def _word_matches(kind: str, stem: str, token: str, token_stem: str) -> bool:
    if kind == "=":
        return token_stem == stem
    if kind == "^":
        return token.startswith(stem)
    return stem in token


# Words that carry a negation over to what follows ("don't need to calibrate", "no need for any recalibration");
# a content word in between ends it ("does not bound the FPR" says nothing against the FPR).
NEGATION_BRIDGE = frozenset("""need needs needed to be have has use using any the a an really ever even bother
require requires rely on worry about for further more extra separate""".split())


def _negated(sentence: _Sentence, i: int) -> bool:
    """A negator right before the match, or one word before it ("not use accuracy"), or up to four words
    before it with only bridge words between ("don't need to calibrate"); "not only" does not negate."""
    toks = sentence.tokens

    def negator(j: int) -> bool:
        return (toks[j] in NEGATORS or toks[j].endswith("n't")) and not (
            j + 1 < len(toks) and toks[j + 1] in ("only", "just", "merely"))

    for j in range(i - 1, max(-1, i - 5), -1):
        if negator(j):
            return True
        if j < i - 1 and toks[j] not in NEGATION_BRIDGE:
            return False
    return False


def _match_words(phrase: _Phrase, sentence: _Sentence, negation: bool) -> bool:
    words, toks, stems = phrase.words, sentence.tokens, sentence.stems
    if not phrase.exact <= sentence.stem_set:  # a quick no: an exact word of the phrase is absent
        return False
    if not all((" " + stem) in sentence.joined for kind, stem in words if kind == "^"):
        return False
    n = len(toks)
    for i in range(n):
        if not _word_matches(*words[0], toks[i], stems[i]):
            continue
        j, ok = i, True
        for (kind, stem), glued in zip(words[1:], phrase.joined[1:], strict=True):
            for k in (j + 1,) if glued else (j + 1, j + 2):  # at most one other word in between
                if k < n and _word_matches(kind, stem, toks[k], stems[k]):
                    j = k
                    break
            else:
                ok = False
                break
        if ok and not (negation and not phrase.negated_by_design
                       and (_negated(sentence, i) or _dismissed(sentence, j))):
            return True
    return False


def _dismissed(sentence: _Sentence, j: int) -> bool:
    """Whether the words right after a match wave it away ("calibration doesn't matter", "… can be ignored")."""
    return DISMISSALS.match(" ".join(sentence.tokens[j + 1:j + 7])) is not None


def _phrase_in_sentence(phrase: _Phrase, sentence: _Sentence, norm: str, negation: bool = True) -> bool:
    if phrase.regex is not None:
        return phrase.regex.search(norm, sentence.start, sentence.end) is not None
    if phrase.parts:
        return all(_phrase_in_sentence(p, sentence, norm, negation) for p in phrase.parts)
    return _match_words(phrase, sentence, negation)


# --------------------------------------------------------------------------------------------------
# Numbers
# --------------------------------------------------------------------------------------------------
_NUMBER = re.compile(
    r"(?<![\w.])(?P<a>\d+(?:,\d{3})+(?:\.\d+)?|\d*\.\d+|\d+)(?:e(?P<exp>[-+]?\d+))?"
    r"(?:\s*(?:/|in|out of)\s*(?P<b>\d+(?:,\d{3})*(?:\.\d+)?)(?![\d.]))?"
    r"\s*(?P<unit>%|percent\b|pp\b|percentage points?\b|k\b|thousand\b|m\b|million\b|bn\b|billion\b)?")


def find_numbers(text: str) -> list[tuple[float, float]]:
    """Every number stated in ``text`` as ``(value, half_unit)``: ``0.0625``, ``6.25%``, ``2/32``, ``1 in 21``,
    ``1e-4``, ``147k``, ``1,179``. ``half_unit`` is half the unit of the last digit written (how precisely it
    was stated); 0 for fractions, which are exact."""
    out = []
    for m in _NUMBER.finditer(normalise(text)):
        a = m.group("a").replace(",", "")
        try:
            value = float(a)
        except ValueError:  # pragma: no cover - the pattern only takes digits
            continue
        if "." in a:
            half = 0.5 * 10.0 ** -len(a.split(".")[1])
        else:  # "67,800": trailing zeros of a whole number say it was rounded to hundreds
            half = 0.5 * 10.0 ** (len(a) - len(a.rstrip("0"))) if value else 0.5
        if m.group("exp"):
            scale = 10.0 ** int(m.group("exp"))
            value, half = value * scale, half * scale
        if m.group("b"):
            b = float(m.group("b").replace(",", ""))
            if b == 0:
                continue
            value, half = value / b, 0.0
        unit = (m.group("unit") or "").strip()
        scale = {"%": 0.01, "percent": 0.01, "pp": 0.01, "k": 1e3, "thousand": 1e3, "m": 1e6, "million": 1e6,
                 "bn": 1e9, "billion": 1e9}.get(unit.split()[0] if unit else "", 0.01 if unit.startswith("percentage")
                                                else 1.0)
        out.append((value * scale, half * scale))
    return out


def _states(numbers: list[tuple[float, float]], target: float, tol: Tolerance) -> bool:
    """Whether one of ``numbers`` is ``target``: within the tolerance, or ``target`` rounded as written."""
    for value, half in numbers:
        if tol.accepts(value, target) or tol.accepts(value, abs(target)):
            return True
        # "about 5%" for 0.0476: the truth rounded to the learner's precision — if that precision still
        # says something (a rounding step of at most the value's own size).
        if value != 0 and half > 0 and abs(value - target) <= half * (1 + 1e-9) and half <= 0.5 * abs(target):
            return True
    return False


# --------------------------------------------------------------------------------------------------
# The report
# --------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class PointResult:
    """The coach's reading of one rubric point.

    ``status``: ``covered`` | ``missing`` | ``not_judged`` (the point declares no evidence);
    ``reason``: why a point is missing; ``model_sentence``: the model answer's words for it.
    """

    text: str
    status: str
    reason: str = ""
    missing_groups: tuple[int, ...] = ()
    against: str = ""
    model_sentence: str = ""

    @property
    def covered(self) -> bool:
        return self.status == "covered"


@dataclass(frozen=True)
class CoachReport:
    """Point-by-point feedback on one answer and its coverage (an automatic estimate, never the score)."""

    question: str
    points: tuple[PointResult, ...]
    keyword_list: bool = False

    @property
    def judged(self) -> int:
        return sum(p.status != "not_judged" for p in self.points)

    @property
    def covered(self) -> int:
        return sum(p.covered for p in self.points)

    @property
    def coverage(self) -> float:
        """Covered share of the points that declare evidence (0 when none does)."""
        return self.covered / self.judged if self.judged else 0.0

    @property
    def reaches_pass_mark(self) -> bool:
        return self.judged > 0 and self.coverage >= PASS_MARK - 1e-12

    def format(self) -> str:
        return format_report(self)


def _groups(point: RubricPoint) -> list[list[_Phrase]]:
    return [[compile_phrase(a) for a in evidence_alternatives(g)] for g in point.evidence]




def _found(phrases: list[_Phrase], sentences: list[_Sentence], norm: str, *, prose_only: bool = True) -> int | None:
    """Index of the first sentence holding one of ``phrases`` (only claims count), or None."""
    for k, s in enumerate(sentences):
        if prose_only and not s.prose:
            continue
        if any(_phrase_in_sentence(p, s, norm) for p in phrases):
            return k
    return None


def _asserted(phrase: _Phrase, sentences: list[_Sentence], norm: str) -> bool:
    """Whether a claim is *made*: found in a sentence that neither quotes it nor calls it wrong."""
    for s in sentences:
        if not s.prose or not _phrase_in_sentence(phrase, s, norm):
            continue
        text = norm[s.start:s.end]
        if _REFUTED.search(text):
            continue
        if phrase.regex is not None:
            m = phrase.regex.search(norm, s.start, s.end)
            if m is not None and norm.count('"', s.start, m.start()) % 2 == 1:  # inside quotation marks
                continue
        return True
    return False


@functools.lru_cache(maxsize=4096)
def _negated_words(point_text: str) -> frozenset[str]:
    """Words the rubric point itself negates ("no peeking", "not SMOTE"): a learner who negates them too
    ("I don't peek") makes the point, so matches on them skip the negation rule."""
    toks = [t for s in _sentences(normalise(point_text)) for t in s.tokens]
    return frozenset(_stem(toks[j]) for i, t in enumerate(toks) if t in NEGATORS or t.endswith("n't")
                     for j in (i + 1, i + 2) if j < len(toks))


def _names_negated(phrase: _Phrase, negated: frozenset[str]) -> bool:
    if not phrase.words or not negated:
        return False
    kind, stem = phrase.words[0]
    return any(_word_matches(kind, stem, w, w) for w in negated)


def _together(hits: list[set[int]]) -> bool:
    """Whether some window of consecutive sentences (by sentence number) holds a hit of every group: PROXIMITY
    sentences, or one
    per group when a point has more parts than that (a claim of four parts may take four sentences)."""
    width = max(PROXIMITY, len(hits))
    for start in sorted(set().union(*hits)):
        window = range(start, start + width)
        if all(any(k in window for k in h) for h in hits):
            return True
    return False


def _value_of(name: str, answers: Mapping[str, Any], givens: Mapping[str, Any]) -> float | None:
    if name in answers:
        value = getattr(answers[name], "value", answers[name])
    else:
        value: Any = givens
        for part in name.split("."):
            if not isinstance(value, Mapping) or part not in value:
                return None
            value = value[part]
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return None
    return float(value)


def _shown(x: float) -> str:
    return f"{x:.4g}" if abs(x) < 1e4 else f"{x:,.0f}"


def model_sentences(question: Question, givens: Mapping[str, Any] | None = None) -> list[str]:
    """The model answer (placeholders filled) cut into the sentences the coach quotes."""
    text = fill(question.model_answer, dict(givens or {})) if givens is not None else question.model_answer
    text = re.sub(r"\*\*([^*]+)\*\*", r"\1", text)
    text = re.sub(r"(?<!\w)\*([^*\n]+)\*(?!\w)", r"\1", text)
    parts = re.split(r"(?<=[.!?])\s+(?=[\"'(*A-Z0-9])|\n\s*\n", text)
    return [" ".join(p.split()) for p in parts if p.strip()]


@functools.lru_cache(maxsize=2048)
def _parsed(text: str) -> tuple[str, list[_Sentence]]:
    """A model-answer sentence normalised and parsed (cached: model answers are quoted again and again)."""
    norm = normalise(text)
    return norm, _sentences(norm)


def _quote(point: RubricPoint, sentences: list[str]) -> str:
    """The fewest model-answer sentences (at most three, in order) that hold the point's evidence."""
    return _quote_cached(point, tuple(sentences))


@functools.lru_cache(maxsize=4096)
def _quote_cached(point: RubricPoint, sentences: tuple[str, ...]) -> str:
    if not point.evidence or not sentences:
        return ""
    groups = _groups(point)
    hits = []
    for text in sentences:
        norm, sents = _parsed(text)
        hits.append({g for g, phrases in enumerate(groups) if _found(phrases, sents, norm, prose_only=False)
                     is not None})
    chosen: list[int] = []
    left = set(range(len(groups)))
    while left and len(chosen) < 3:
        best = max(range(len(sentences)), key=lambda i: (len(hits[i] & left), -i))
        if not hits[best] & left:
            break
        chosen.append(best)
        left -= hits[best]
    return " … ".join(sentences[i] for i in sorted(chosen))


def assess_point(point: RubricPoint, sentences: list[_Sentence], norm: str, numbers: list[tuple[float, float]],
                 answers: Mapping[str, Any], givens: Mapping[str, Any], tolerance: Tolerance | None) -> PointResult:
    """One point against one parsed answer (see :func:`assess`)."""
    if not point.evidence and not point.number:
        return PointResult(point.text, "not_judged", "this point declares no evidence: judge it yourself")
    for phrase in point.against:
        if _asserted(compile_phrase(phrase), sentences, norm):
            return PointResult(point.text, "missing", f"your answer asserts the opposite (“{phrase.removeprefix('re:')}”)",
                               against=phrase)
    groups = _groups(point)
    negated_in_point = _negated_words(point.text)
    hits = [{s.index for s in sentences if s.prose and any(
        _phrase_in_sentence(p, s, norm, negation=not _names_negated(p, negated_in_point)) for p in phrases)}
        for phrases in groups]
    # A bare item of a list counts for a point whose claim the list's head makes ("a schema contract checked
    # before scoring: type, range, null rate"): only in a sentence where another part of the point is claimed.
    anchored = set().union(*hits) if hits else set()
    for g, phrases in enumerate(groups):
        hits[g] |= {s.index for s in sentences if s.listed and s.index in anchored
                    and any(_phrase_in_sentence(p, s, norm, negation=not _names_negated(p, negated_in_point))
                            for p in phrases)}
    missing = tuple(g for g, h in enumerate(hits) if not h)
    if not missing and not _together(hits):
        return PointResult(point.text, "missing", "its parts appear only far apart, not as one claim — say them "
                                                  "together", missing_groups=tuple(range(len(groups))))
    if missing:
        need = "; ".join(" or ".join(f"“{a.removeprefix('re:')}”" for a in evidence_alternatives(point.evidence[g])[:3])
                         for g in missing)
        return PointResult(point.text, "missing", f"no claim found about {need}", missing_groups=missing)
    if point.number:
        target = _value_of(point.number, answers, givens)
        if target is not None and not _states(numbers, target, tolerance or NUMBER_TOLERANCE):
            return PointResult(point.text, "missing", f"the number is missing or off: expected {point.number} ≈ "
                                                      f"{_shown(target)}")
    return PointResult(point.text, "covered")


def assess_text(question: Question, text: str, *, answers: Mapping[str, Any] | None = None,
                givens: Mapping[str, Any] | None = None, tolerances: Mapping[str, Tolerance] | None = None,
                quote: bool = True) -> CoachReport:
    """The coach's report on ``text`` as an answer to rubric ``question``.

    Parameters
    ----------
    question : the rubric question (its ``rubric`` holds the points and their evidence).
    text : the learner's answer.
    answers : the solved answers by question id (``Answer`` objects or plain values), for ``number`` points.
    givens : the givens (nested tables reached with dots: ``baseline.precision``), for ``number`` points and
        the model answer's placeholders.
    tolerances : the tolerance of each number question by id; a number naming a given is read within 2 %.
    quote : add the model answer's sentence to each missing point.

    Returns
    -------
    CoachReport: one :class:`PointResult` per point, in the spec's order; ``coverage`` is covered / judged.
    Deterministic: the same inputs give the same report.
    """
    answers, givens, tolerances = answers or {}, givens or {}, tolerances or {}
    norm = normalise(text if isinstance(text, str) else "")
    sentences = _sentences(norm)
    prose_text = " ".join(norm[s.start:s.end] for s in sentences if s.prose)
    numbers = find_numbers(prose_text)
    n_tokens = sum(len(s.tokens) for s in sentences)
    listy = n_tokens > 0 and sum(len(s.tokens) for s in sentences if not s.prose) > 0.5 * n_tokens
    model = model_sentences(question, givens) if quote else []
    results = []
    for point in question.rubric:
        r = assess_point(point, sentences, norm, numbers, answers, givens, tolerances.get(point.number))
        if quote and r.status == "missing":
            r = PointResult(r.text, r.status, r.reason, r.missing_groups, r.against, _quote(point, model))
        results.append(r)
    return CoachReport(question.id, tuple(results), keyword_list=listy)


def assess(question: Question, text: str, scenario=None, solution=None, givens: Mapping[str, Any] | None = None,
           *, quote: bool = True) -> CoachReport:
    """:func:`assess_text` with the answers, tolerances and givens taken from a scenario and its solution
    (solved here when not given: the model answer's ``{facts.name}`` placeholders fill only from a solution)."""
    givens = givens if givens is not None else (scenario.givens if scenario is not None else {})
    if solution is None and scenario is not None:  # the model answer's {facts.name} need the solved facts
        solution = casebook.solve(scenario, givens)
    if solution is not None:  # the model answer's {facts.name} placeholders fill from the solution
        givens = solution.prose_givens(givens)
    answers = solution.answers if solution is not None else {}
    tolerances = {q.id: q.accepted for q in scenario.questions if q.kind == "number"} if scenario is not None else {}
    return assess_text(question, text, answers=answers, givens=givens, tolerances=tolerances, quote=quote)


def format_report(report: CoachReport, *, width: int = 0) -> str:
    """The report as plain text — the one formatter that notebook, grader and mock all show."""
    lines = [f"Coach on {report.question} ({ESTIMATE_LABEL}): {report.covered} of {report.judged} rubric "
             f"points found — coverage {report.coverage:.0%} (pass mark {PASS_MARK:.0%})."]
    if report.keyword_list:
        lines.append("  Most of your answer reads as a list of terms, not claims: the coach counts a point only "
                     "where a sentence says something about it.")
    for k, p in enumerate(report.points, 1):
        mark = {"covered": "✔", "missing": "✘", "not_judged": "?"}[p.status]
        lines.append(f"  {mark} {k}. {p.text}")
        if p.status != "covered":
            lines.append(f"       why: {p.reason}.")
        if p.model_sentence:
            lines.append(f"       model answer: “{p.model_sentence}”")
    return "\n".join(lines)
