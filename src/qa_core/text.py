"""Text handling for questions: cleaning, comparison, similarity. Pure functions."""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable, Mapping

# Category Cf hides zero-width joiners, bidi overrides and tag characters (word-filter
# bypasses); Cc is control characters. Newlines and tabs survive: people paste paragraphs.
_KEEP_CONTROL = {"\n", "\t"}
_SPACES = re.compile(r"[ \t]+")
_BLANK_LINES = re.compile(r"\n{3,}")
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")

STOPWORDS = frozenset(
    """a about above after again against all am an and any are aren't as at be because been
    before being below between both but by can could did do does doing down during each few
    for from further had has have having he her here hers herself him himself his how i if in
    into is it its itself just let me more most my myself no nor not now of off on once only
    or other our ours ourselves out over own same she should so some such than that the their
    theirs them themselves then there these they this those through to too under until up us
    very was we were what when where which while who whom why will with would you your yours
    yourself yourselves ever also any much many get got really think thoughts without within
    one two like well way even still i'm i've i'd i'll you're you've it's don't doesn't
    didn't can't won't isn't aren't what's that's there's let's""".split()
)

_QUESTION_WORDS = frozenset(
    """who what when where why how which whose whom is are was were do does did can could
    would will should shall may might have has had am isn't aren't don't doesn't didn't can't
    won't wouldn't shouldn't any""".split()
)
_REQUEST_OPENERS = (
    "tell us",
    "tell me",
    "explain",
    "describe",
    "share",
    "thoughts on",
    "opinion on",
    "what's",
    "whats",
    "how's",
    "please",
    "any advice",
    "any tips",
    "curious",
    "wondering",
    "i'd love to know",
    "i would love to know",
)


_REQUEST = re.compile(r"\b(?:" + "|".join(re.escape(o) for o in _REQUEST_OPENERS) + r")\b")


def clean(text: str) -> str:
    """Strip invisible and control characters and surplus blank space; keep the words."""
    kept = "".join(
        ch
        for ch in unicodedata.normalize("NFC", text)
        if ch in _KEEP_CONTROL or unicodedata.category(ch) not in ("Cf", "Cc", "Co", "Cs")
    )
    lines = [_SPACES.sub(" ", line).strip() for line in kept.replace("\r", "").split("\n")]
    return _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()


def fold(text: str) -> str:
    """Canonical form for comparison only: NFKC, casefolded, invisible characters gone."""
    return clean(unicodedata.normalize("NFKC", text)).casefold()


def words(text: str) -> list[str]:
    return _WORD.findall(fold(text))


_SIBILANT_ES = re.compile(r"(?:ss|sh|ch|x|z)es$")


def _stem(word: str) -> str:
    """Light plural, possessive and -ing stripping: "visas"/"visa", "applicant's"/"applicant"."""
    word = re.sub(r"['’]s$", "", word)
    if word.endswith("ies") and len(word) >= 5:
        return word[:-3] + "y"
    if _SIBILANT_ES.search(word):
        return word[:-2]  # "taxes", "speeches", "businesses"
    if word.endswith("ing") and len(word) >= 6:
        return word[:-3]
    if word.endswith("ed") and len(word) >= 5 and not word.endswith("eed"):
        return word[:-2]
    if word.endswith("s") and not word.endswith(("ss", "us", "is")) and len(word) >= 4:
        return word[:-1]
    return word


def terms(text: str) -> frozenset[str]:
    """The content words of ``text``, stemmed: the unit of similarity and of the term index."""
    return frozenset(_stem(w) for w in words(text) if w not in STOPWORDS and len(w) > 1)


def _trigrams(text: str) -> frozenset[str]:
    squashed = " ".join(words(text))
    return frozenset(squashed[i : i + 3] for i in range(max(len(squashed) - 2, 0)))


def jaccard(a: frozenset[str], b: frozenset[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def similarity(a: str, b: str) -> float:
    """0..1: how alike two questions read (content words first, spelling second)."""
    return 0.7 * jaccard(terms(a), terms(b)) + 0.3 * jaccard(_trigrams(a), _trigrams(b))


def cosine(a: Mapping[str, float], b: Mapping[str, float]) -> float:
    dot = sum(weight * b.get(term, 0.0) for term, weight in a.items())
    norm = math.sqrt(sum(w * w for w in a.values())) * math.sqrt(sum(w * w for w in b.values()))
    return dot / norm if norm else 0.0


def looks_like_question(text: str) -> bool:
    """A cheap guess: a question mark, an interrogative opener or a polite request."""
    folded = fold(text)
    if "?" in folded:
        return True
    first = words(folded)[:1]
    if first and first[0] in _QUESTION_WORDS:
        return True
    return _REQUEST.search(folded) is not None


def contains_any(text: str, phrases: Iterable[str]) -> list[str]:
    """The phrases of ``phrases`` found in ``text`` as whole words, after folding."""
    folded = " " + " ".join(words(text)) + " "
    return [p for p in phrases if f" {' '.join(words(p))} " in folded]
