"""Transcripts: Markdown to read, JSON to keep and re-import, CSV for spreadsheets."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from typing import Any

import attrs

from .models import Question, QuestionState, Session
from .serialization import converter
from .views import Transcript

FORMAT = "qa-core/transcript"
VERSION = 1


@attrs.frozen
class Exporter:
    """A transcript format. ``full`` ones see identities and voters, so need moderator rights."""

    render: Callable[[Transcript], str]
    full: bool
    suffix: str


# -- Markdown --------------------------------------------------------------------------------


def _names(people: tuple[Any, ...]) -> str:
    return ", ".join(p.name for p in people)


def _quote(text: str) -> str:
    return "\n".join(f"> {line}" if line else ">" for line in text.splitlines())


def _votes(count: int) -> str:
    return f"{count} vote" + ("" if count == 1 else "s")


def _askers(transcript: Transcript, question: Question) -> str:
    others = [d.public_author() for d in transcript.duplicates_of(question)]
    names = list(dict.fromkeys([question.public_author(), *others]))
    if len(names) == 1:
        return names[0]
    return f"{', '.join(names[:-1])} and {names[-1]}"


def _header(session: Session) -> list[str]:
    lines = [f"# {session.title}", ""]
    facts = []
    if session.guests:
        facts.append(f"**Guest{'s' if len(session.guests) > 1 else ''}:** {_names(session.guests)}")
    if session.hosts:
        facts.append(f"**Hosted by** {_names(session.hosts)}")
    when = session.scheduled_start or session.created_at
    facts.append(f"**Date:** {when:%Y-%m-%d}")
    lines += [" · ".join(facts), ""]
    if session.intro:
        lines += [session.intro, ""]
    return lines


def render_markdown(transcript: Transcript) -> str:
    """Reads like a published AMA: the intro, then each question and its answer, in order."""
    lines = _header(transcript.session)
    answered = transcript.answered()
    lines += ["---", ""]
    if not answered:
        lines += ["*No questions have been answered yet.*", ""]
    for number, question in enumerate(answered, start=1):
        assert question.answer is not None
        tags = f" · {', '.join(sorted(question.tags))}" if question.tags else ""
        lines += [
            f"## {number}. Asked by {_askers(transcript, question)} "
            f"({_votes(question.votes)}{tags})",
            "",
            _quote(question.text),
            "",
            f"**{question.answer.by.name}:** {question.answer.text}",
            "",
        ]
    waiting = [q for q in transcript.questions if q.state in _STILL_WAITING]
    if waiting:
        top = sorted(waiting, key=lambda q: (-q.votes, q.number))[:5]
        were = "question was" if len(waiting) == 1 else "questions were"
        lines += ["---", "", f"*{len(waiting)} {were} still waiting. The most voted:*", ""]
        lines += [f"- {q.text} ({_votes(q.votes)})" for q in top] + [""]
    return "\n".join(lines)


_STILL_WAITING = frozenset({QuestionState.APPROVED, QuestionState.DEFERRED, QuestionState.SELECTED})


# -- JSON ------------------------------------------------------------------------------------


def transcript_to_dict(transcript: Transcript) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "version": VERSION,
        "session": converter.unstructure(transcript.session),
        "questions": [
            {
                **converter.unstructure(q),
                "voters": [v.key for v in transcript.voters.get(q.id, ())],
            }
            for q in transcript.questions
        ],
        "restrictions": converter.unstructure(list(transcript.restrictions)),
    }


def render_json(transcript: Transcript) -> str:
    """Complete and re-importable with ``qa-bot import``."""
    return json.dumps(transcript_to_dict(transcript), indent=2, ensure_ascii=False) + "\n"


# -- CSV -------------------------------------------------------------------------------------

CSV_COLUMNS = (
    "number",
    "state",
    "asked_by",
    "user_id",
    "anonymous",
    "text",
    "original_text",
    "votes",
    "pinned",
    "tags",
    "flags",
    "merged_into",
    "rejection_reason",
    "answer",
    "answered_by",
    "created_at",
    "answered_at",
)
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")


def spreadsheet_safe(value: object) -> str:
    """Defuse formula injection: a cell a spreadsheet would evaluate is prefixed with '."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def render_csv(transcript: Transcript) -> str:
    numbers = {q.id: q.number for q in transcript.questions}
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for q in transcript.questions:
        row = (
            q.number,
            q.state.value,
            q.author.name,
            q.author.user.id,
            q.anonymous,
            q.text,
            q.original_text,
            q.votes,
            q.pinned,
            " ".join(sorted(q.tags)),
            "; ".join(f"{f.code}: {f.detail}" for f in q.flags),
            numbers.get(q.merged_into) if q.merged_into else "",
            q.rejection.reason.value if q.rejection else "",
            q.answer.text if q.answer else "",
            q.answer.by.name if q.answer else "",
            q.created_at.isoformat(),
            q.answer.at.isoformat() if q.answer else "",
        )
        writer.writerow([spreadsheet_safe(cell) for cell in row])
    return out.getvalue()


BUILTIN_EXPORTERS = {
    "md": Exporter(render_markdown, full=False, suffix=".md"),
    "json": Exporter(render_json, full=True, suffix=".json"),
    "csv": Exporter(render_csv, full=True, suffix=".csv"),
}
