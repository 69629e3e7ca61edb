"""An example qa-core plugin, written the way a third-party developer would write one.

It adds four things, all through qa-core's public API:

- a flag, ``contains_link``, on questions with a link in them, for moderators to check;
- a selection strategy, ``longest_waiting``: pinned questions first, then the ones asked
  longest ago, deferred ones last;
- a transcript format, ``txt``: plain text, wrapped, for e-mail or a terminal;
- an event observer that counts events by kind, for each engine, and logs the tally when
  the engine stops.

Installed, qa-core loads it from the ``qa_core`` entry-point group under the name ``example``
(block it with ``[plugins] block = ["example"]``). The entry point is the ``plugin`` object
below: one instance of :class:`ExamplePlugin`, whose methods are the hook implementations.
"""

from __future__ import annotations

import logging
import re
import textwrap
from collections import Counter
from collections.abc import Callable, Iterable
from weakref import WeakKeyDictionary

from qa_core import (
    Engine,
    Event,
    Exporter,
    Flag,
    Question,
    QuestionState,
    Selection,
    Strategy,
    Submission,
    Transcript,
    hookimpl,
)

__all__ = ["ExamplePlugin", "find_links", "longest_waiting", "plugin", "render_text"]

log = logging.getLogger(__name__)

# -- a flag: links ---------------------------------------------------------------------------

# A scheme, "www.", or a bare domain under a common top-level domain. Bare domains are limited
# to a list so that "e.g.", "U.S." or "Node.js" in an ordinary question are not taken for links.
_LINK = re.compile(
    r"""
    \bhttps?://[^\s<>"]+
    | \bwww\.[^\s<>"]+
    | \b[a-z0-9-]+(?:\.[a-z0-9-]+)*
      \.(?:com|org|net|info|biz|io|co|me|ly|gg|app|xyz)\b
      (?:/[^\s<>"]*)?
    """,
    re.IGNORECASE | re.VERBOSE,
)


def find_links(text: str) -> list[str]:
    """The links in ``text``, in order, without trailing punctuation."""
    return [match.rstrip(".,;:!?)]'") for match in _LINK.findall(text)]


# -- a strategy: longest waiting -------------------------------------------------------------


def _asked(question: Question) -> tuple[float, int]:
    return (question.created_at.timestamp(), question.number)


def longest_waiting(selection: Selection) -> list[Question]:
    """Pinned questions first, then the ones asked longest ago; deferred ones last.

    First come, first served, within the pool qa-core offers a strategy (``candidates``).
    """
    pinned, ordinary, deferred = [], [], []
    for question in selection.candidates:
        if question.pinned:
            pinned.append(question)
        elif question.state is QuestionState.DEFERRED:
            deferred.append(question)
        else:
            ordinary.append(question)
    ordered = [q for band in (pinned, ordinary, deferred) for q in sorted(band, key=_asked)]
    return ordered[: selection.count]


# -- an exporter: plain text -----------------------------------------------------------------

WIDTH = 78
INDENT = "    "  # under "12. ": answers line up whatever the number
_WAITING = frozenset({QuestionState.APPROVED, QuestionState.DEFERRED, QuestionState.SELECTED})


def _fill(text: str, indent: str = "") -> list[str]:
    """Wrap each paragraph of ``text``; paragraphs stay apart."""
    lines: list[str] = []
    for paragraph in text.split("\n\n"):
        if lines:
            lines.append("")
        lines.append(
            textwrap.fill(
                " ".join(paragraph.split()),
                WIDTH,
                initial_indent=indent,
                subsequent_indent=indent,
            )
        )
    return lines


def _and(names: Iterable[str]) -> str:
    unique = list(dict.fromkeys(names))
    return unique[0] if len(unique) == 1 else f"{', '.join(unique[:-1])} and {unique[-1]}"


def _votes(count: int) -> str:
    return f"{count} vote" + ("" if count == 1 else "s")


def render_text(transcript: Transcript) -> str:
    """The questions the guest answered, in the order answered, as plain wrapped text."""
    session = transcript.session
    out = [session.title, "=" * min(len(session.title), WIDTH), ""]
    facts = []
    if session.guests:
        facts.append(f"Guest: {_and(p.name for p in session.guests)}")
    if session.hosts:
        facts.append(f"Hosted by {_and(p.name for p in session.hosts)}")
    facts.append(f"{session.scheduled_start or session.created_at:%d %B %Y}")
    out += [" | ".join(facts), ""]
    if session.intro:
        out += [*_fill(session.intro), ""]
    answered = transcript.answered()
    if not answered:
        out += ["No questions have been answered yet.", ""]
    for number, question in enumerate(answered, start=1):
        assert question.answer is not None  # answered() holds only answered questions
        askers = _and(q.public_author() for q in (question, *transcript.duplicates_of(question)))
        out += [
            f"{number}. {askers} asked ({_votes(question.votes)}):",
            "",
            *_fill(question.text, indent=INDENT),
            "",
            *_fill(f"{question.answer.by.name}: {question.answer.text}", indent=INDENT),
            "",
        ]
    waiting = sum(1 for q in transcript.questions if q.state in _WAITING)
    if waiting:
        were = "question was" if waiting == 1 else "questions were"
        out += [f"{waiting} {were} not reached.", ""]
    return "\n".join(out)


# -- the plugin ------------------------------------------------------------------------------


class ExamplePlugin:
    """Every hook this package implements, on one object; its state lives on the instance."""

    def __init__(self) -> None:
        # One tally per engine: the entry-point object is shared by every plugin manager in the
        # process (a test run, a bot serving two platforms). Weak, so a dropped engine's goes.
        self.events: WeakKeyDictionary[Engine, Counter[str]] = WeakKeyDictionary()

    def counts(self, engine: Engine) -> Counter[str]:
        """How many events of each kind ``engine`` has published so far."""
        return Counter(self.events.get(engine, {}))

    @hookimpl
    def qa_flag_question(self, submission: Submission) -> Flag | None:
        links = find_links(submission.text)
        if not links:
            return None
        shown = ", ".join(links[:3]) + (", ..." if len(links) > 3 else "")
        return Flag("contains_link", shown)

    @hookimpl
    def qa_register_strategies(self, register: Callable[[str, Strategy], None]) -> None:
        register("longest_waiting", longest_waiting)

    @hookimpl
    def qa_register_exporters(self, register: Callable[[str, Exporter], None]) -> None:
        register("txt", Exporter(render_text, full=False, suffix=".txt"))

    @hookimpl
    def qa_on_event(self, event: Event, engine: Engine) -> None:
        self.events.setdefault(engine, Counter())[type(event).__name__] += 1

    @hookimpl
    def qa_shutdown(self, engine: Engine) -> None:
        tally = self.events.pop(engine, None)
        if tally:
            log.info(
                "%d events: %s",
                tally.total(),
                ", ".join(f"{kind} {n}" for kind, n in tally.most_common()),
            )


plugin = ExamplePlugin()
