"""Render: core views and events as Block Kit. Pure, no I/O.

User text goes into ``plain_text`` objects where no formatting is needed, and through
:func:`~qa_core_slack.text.escape` wherever it meets ``mrkdwn`` (a message's ``text`` too).
Every text is fitted to Slack's limits with a visible marker.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from qa_core import Question, QuestionState, RejectReason, Session, SessionState, describe_flag

from .text import escape, fit, fit_escaped
from .translate import HELP, Verb, action_id

Block = dict[str, Any]
Payload = dict[str, Any]

TEXT_MAX = 3000  # section / text object
HEADER_MAX = 150
BUTTON_MAX = 75
OPTION_MAX = 75
FALLBACK_MAX = 3000  # message ``text``: Slack allows 40,000; notifications need far less
MESSAGE_BLOCKS = 50
SURFACE_BLOCKS = 100
BOARD_SIZE = 10
QUEUE_PREVIEW = 300  # characters of a question in lists

_STATE_LABEL = {
    QuestionState.PENDING: "waiting for a moderator",
    QuestionState.APPROVED: "in the queue",
    QuestionState.SELECTED: "🎤 with the guest now",
    QuestionState.ANSWERED: "✅ answered",
    QuestionState.DEFERRED: "deferred",
    QuestionState.SKIPPED: "skipped",
    QuestionState.REJECTED: "removed by a moderator",
    QuestionState.WITHDRAWN: "withdrawn",
    QuestionState.MERGED: "merged",
}
_SESSION_LABEL = {
    SessionState.SCHEDULED: "🗓 scheduled",
    SessionState.LIVE: "🟢 live: questions welcome",
    SessionState.PAUSED: "⏸ paused",
    SessionState.CLOSED: "🏁 closed",
    SessionState.ARCHIVED: "archived",
}
_REASONS = {
    RejectReason.SPAM: "Spam",
    RejectReason.ABUSE: "Abusive",
    RejectReason.OFF_TOPIC: "Off topic",
    RejectReason.DUPLICATE: "Duplicate",
    RejectReason.UNCLEAR: "Unclear",
    RejectReason.OTHER: "Other",
}
VOTABLE = frozenset({QuestionState.APPROVED, QuestionState.DEFERRED, QuestionState.SELECTED})


# ----- building blocks -------------------------------------------------------------------------


def plain(text: str, limit: int = TEXT_MAX) -> dict[str, Any]:
    return {"type": "plain_text", "text": fit(text, limit) or " ", "emoji": False}


def mrkdwn(text: str) -> dict[str, Any]:
    """A mrkdwn object from text already escaped by the caller (only our own markup)."""
    return {"type": "mrkdwn", "text": text[:TEXT_MAX] or " ", "verbatim": True}


def section(text: dict[str, Any], **extra: Any) -> Block:
    return {"type": "section", "text": text, **extra}


def context(*texts: dict[str, Any]) -> Block:
    return {"type": "context", "elements": list(texts)[:10]}


def button(label: str, verb: Verb, target: int, *, style: str | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "type": "button",
        "text": plain(label, BUTTON_MAX),
        "action_id": action_id(verb, target),
        "value": str(target),
    }
    if style:
        out["style"] = style
    return out


def actions(*elements: dict[str, Any]) -> Block:
    return {"type": "actions", "elements": list(elements)}


def votes(count: int) -> str:
    return "1 vote" if count == 1 else f"{count} votes"


def question_line(question: Question, limit: int = QUEUE_PREVIEW) -> str:
    """``*#3* · 5 votes — text`` in mrkdwn, the text escaped and shortened."""
    pin = "📌 " if question.pinned else ""
    return (
        f"{pin}*#{question.number}* · {votes(question.votes)}\n{fit_escaped(question.text, limit)}"
    )


def message(text: str, blocks: Sequence[Block]) -> Payload:
    """A chat.postMessage / chat.update payload: escaped fallback text, at most 50 blocks."""
    return {"text": fit(text, FALLBACK_MAX), "blocks": list(blocks)[:MESSAGE_BLOCKS]}


# ----- channel messages ------------------------------------------------------------------------


def announcement(session: Session) -> Payload:
    guests = ", ".join(g.name for g in session.guests)
    blocks: list[Block] = [{"type": "header", "text": plain(session.title, HEADER_MAX)}]
    if session.intro:
        blocks.append(section(plain(session.intro)))
    facts = [_SESSION_LABEL[session.state]]
    if guests:
        facts.append(f"with {guests}")
    if session.scheduled_start and session.state is SessionState.SCHEDULED:
        facts.append(f"starts {session.scheduled_start:%Y-%m-%d %H:%M} UTC")
    blocks.append(context(plain(" · ".join(facts))))
    if session.state in (SessionState.LIVE, SessionState.PAUSED, SessionState.SCHEDULED):
        blocks.append(actions(button("Ask a question", Verb.ASK, session.id, style="primary")))
    return message(f"AMA: {escape(session.title)}", blocks)


HIDDEN = frozenset({QuestionState.REJECTED, QuestionState.WITHDRAWN})


def public_question(question: Question) -> Payload:
    """A question as the audience sees it: text, asker, votes, an Upvote button while open."""
    if question.state in HIDDEN:
        # Removed or withdrawn after it was public: the text goes, the number stays.
        note = f"#{question.number} · {_STATE_LABEL[question.state]}"
        return message(note, [section(mrkdwn(f"*#{question.number}*")), context(plain(note))])
    blocks: list[Block] = [
        section(mrkdwn(f"*#{question.number}*")),
        section(plain(question.text)),
    ]
    facts = [f"asked by {question.public_author()}", votes(question.votes)]
    facts.append(_STATE_LABEL[question.state])
    if question.pinned:
        facts.append("📌 pinned")
    if question.edited:
        facts.append("edited")
    blocks.append(context(plain(" · ".join(facts))))
    if question.state in VOTABLE:
        blocks.append(actions(button(f"👍 Upvote ({question.votes})", Verb.VOTE, question.id)))
    summary = f"Question #{question.number} ({votes(question.votes)}): {escape(question.text)}"
    return message(summary, blocks)


def board(session: Session, top: Sequence[Question]) -> Payload:
    blocks: list[Block] = [
        {"type": "header", "text": plain(f"Top questions: {session.title}", HEADER_MAX)},
    ]
    if not top:
        blocks.append(context(plain("No questions yet. Ask with /ama ask.")))
    for q in top[:BOARD_SIZE]:
        blocks.append(section(mrkdwn(question_line(q))))
    blocks.append(context(plain(_SESSION_LABEL[session.state])))
    return message(f"Top questions: {escape(session.title)}", blocks)


def moderation_card(question: Question) -> Payload:
    """A question for moderators; buttons only while it waits for them."""
    flags = "; ".join(escape(describe_flag(f)) for f in question.flags)
    blocks: list[Block] = [
        section(mrkdwn(f"*#{question.number}* · {_STATE_LABEL[question.state]}")),
        section(plain(question.text)),
    ]
    facts = [f"from {question.public_author()}"]
    if flags:
        facts.append(f"⚠ flagged: {flags}")
    if question.rejection is not None:
        facts.append(f"reason: {_REASONS[question.rejection.reason]}")
    if question.merged_into is not None:
        facts.append("merged into another question")
    blocks.append(context(plain(" · ".join(facts))))
    if question.state is QuestionState.PENDING:
        blocks.append(moderation_buttons(question))
    elif question.state in VOTABLE:
        blocks.append(
            actions(
                button(
                    "Unpin" if question.pinned else "Pin",
                    Verb.UNPIN if question.pinned else Verb.PIN,
                    question.id,
                ),
                button("Merge…", Verb.MERGE, question.id),
                button("Edit…", Verb.EDIT, question.id),
            )
        )
    text = f"#{question.number} {_STATE_LABEL[question.state]}: {escape(question.text)}"
    return message(text, blocks)


def moderation_buttons(question: Question) -> Block:
    return actions(
        button("Approve", Verb.APPROVE, question.id, style="primary"),
        button("Reject…", Verb.REJECT, question.id, style="danger"),
        button("Edit…", Verb.EDIT, question.id),
        button("Merge…", Verb.MERGE, question.id),
        button(
            "Unpin" if question.pinned else "Pin",
            Verb.UNPIN if question.pinned else Verb.PIN,
            question.id,
        ),
    )


def on_stage(question: Question) -> Payload:
    text = f"🎤 Now answering #{question.number}: {fit_escaped(question.text, QUEUE_PREVIEW)}"
    return message(text, [section(mrkdwn(text))])


def answer(question: Question) -> Payload:
    """The answer, posted in the question's thread."""
    assert question.answer is not None
    by = escape(question.answer.by.name)
    blocks = [section(mrkdwn(f"*Answer from {by}* to #{question.number}"))]
    body = question.answer.text
    # An answer may run to 10,000 characters: several sections, never one over the limit.
    chunks = [body[i : i + TEXT_MAX] for i in range(0, len(body), TEXT_MAX)] or [""]
    blocks.extend(section(plain(chunk)) for chunk in chunks[: MESSAGE_BLOCKS - 1])
    return message(f"Answer from {by}: {escape(body)}", blocks)


def answered_dm(question: Question, session: Session) -> Payload:
    text = (
        f"Your question #{question.number} in “{escape(session.title)}” was answered"
        " — see the thread under it."
    )
    return message(text, [section(mrkdwn(text)), section(plain(question.text))])


def rejected_dm(question: Question, reason: RejectReason, note: str | None) -> Payload:
    head = f"A moderator did not publish your question #{question.number} ({_REASONS[reason]})."
    blocks = [section(mrkdwn(escape(head))), section(plain(question.text))]
    if note:
        blocks.append(section(mrkdwn(f"_Moderator's note:_ {fit_escaped(note, TEXT_MAX - 40)}")))
    return message(escape(head), blocks)


def session_note(session: Session) -> Payload:
    text = f"*{escape(session.title)}* is now {_SESSION_LABEL[session.state]}."
    return message(text, [section(mrkdwn(text))])


# ----- ephemeral replies -----------------------------------------------------------------------


def notice(text: str) -> Payload:
    """An ephemeral reply: our own words plus engine messages, escaped all the same."""
    return {"text": fit_escaped(text, FALLBACK_MAX), "response_type": "ephemeral"}


def queue_reply(session: Session, questions: Sequence[Question], pending: int | None) -> Payload:
    lines = [question_line(q, 200) for q in questions[:BOARD_SIZE]]
    head = f"*{escape(session.title)}* · {_SESSION_LABEL[session.state]}"
    if pending is not None:
        head += f" · {pending} waiting for moderators"
    blocks = [section(mrkdwn(head))]
    blocks += [section(mrkdwn(line)) for line in lines] or [context(plain("The queue is empty."))]
    return {"response_type": "ephemeral", "text": head, "blocks": blocks}


def voted_reply(question: Question, *, already: bool) -> Payload:
    text = (
        f"You have already upvoted #{question.number}."
        if already
        else f"Upvoted #{question.number} ({votes(question.votes)})."
    )
    blocks = [section(mrkdwn(text), accessory=button("Remove my vote", Verb.UNVOTE, question.id))]
    return {"response_type": "ephemeral", "replace_original": False, "text": text, "blocks": blocks}


def settings_reply(lines: Iterable[str]) -> Payload:
    return notice("Settings:\n" + "\n".join(lines) + "\n\n" + HELP)


# ----- modals ----------------------------------------------------------------------------------


def _modal(
    callback_id: str, title: str, metadata: str, blocks: list[Block], submit: str
) -> Payload:
    return {
        "type": "modal",
        "callback_id": callback_id,
        "private_metadata": metadata,
        "title": plain(title, 24),
        "submit": plain(submit, 24),
        "close": plain("Cancel", 24),
        "blocks": blocks[:SURFACE_BLOCKS],
    }


def ask_modal(session: Session, *, initial: str = "") -> Payload:
    limit = min(session.settings.max_length, TEXT_MAX)
    element: dict[str, Any] = {
        "type": "plain_text_input",
        "action_id": "question",
        "multiline": True,
        "max_length": limit,
    }
    if initial:
        element["initial_value"] = initial[:limit]
    blocks: list[Block] = [
        section(plain(session.title)),
        {
            "type": "input",
            "block_id": "question",
            "label": plain("Your question", 2000),
            "element": element,
        },
    ]
    if session.settings.allow_anonymous:
        blocks.append(
            {
                "type": "input",
                "block_id": "anonymous",
                "optional": True,
                "label": plain("Privacy", 2000),
                "element": {
                    "type": "checkboxes",
                    "action_id": "anonymous",
                    "options": [
                        {"text": plain("Ask anonymously", OPTION_MAX), "value": "anonymous"}
                    ],
                },
            }
        )
    return _modal("qa:ask", "Ask a question", str(session.id), blocks, "Ask")


def reject_modal(question: Question) -> Payload:
    options = [
        {"text": plain(label, OPTION_MAX), "value": reason.value}
        for reason, label in _REASONS.items()
    ]
    blocks: list[Block] = [
        section(plain(question.text)),
        {
            "type": "input",
            "block_id": "reason",
            "label": plain("Reason", 2000),
            "element": {
                "type": "static_select",
                "action_id": "reason",
                "options": options,
                "initial_option": options[0],
            },
        },
        {
            "type": "input",
            "block_id": "message",
            "optional": True,
            "label": plain("Note to the asker", 2000),
            "element": {
                "type": "plain_text_input",
                "action_id": "message",
                "multiline": True,
                "max_length": 1000,
            },
        },
    ]
    return _modal("qa:reject", f"Reject #{question.number}", str(question.id), blocks, "Reject")


def edit_modal(question: Question) -> Payload:
    element = {
        "type": "plain_text_input",
        "action_id": "text",
        "multiline": True,
        "max_length": TEXT_MAX,
        "initial_value": question.text[:TEXT_MAX],
    }
    blocks: list[Block] = [
        {"type": "input", "block_id": "text", "label": plain("Question", 2000), "element": element}
    ]
    return _modal("qa:edit", f"Edit #{question.number}", str(question.id), blocks, "Save")


def merge_modal(question: Question, candidates: Sequence[Question]) -> Payload:
    options = [
        {"text": plain(f"#{q.number} {q.text}", OPTION_MAX), "value": str(q.id)}
        for q in candidates
        if q.id != question.id
    ][:100]
    blocks: list[Block] = [section(plain(question.text))]
    if options:
        blocks.append(
            {
                "type": "input",
                "block_id": "into",
                "label": plain("Merge into", 2000),
                "element": {"type": "static_select", "action_id": "into", "options": options},
            }
        )
    else:
        blocks.append(context(plain("There is no other open question to merge into.")))
    return _modal("qa:merge", f"Merge #{question.number}", str(question.id), blocks, "Merge")


# ----- App Home --------------------------------------------------------------------------------


def home(
    moderation: Sequence[tuple[Session, Sequence[Question]]],
    stage: Sequence[tuple[Session, Question | None, Sequence[Question]]],
    audience: Sequence[tuple[Session, Sequence[Question]]],
) -> Payload:
    """Moderators see their queues, guests and hosts what comes next, everyone the top questions."""
    blocks: list[Block] = [{"type": "header", "text": plain("Q&A", HEADER_MAX)}]
    for session, pending in moderation:
        blocks.append(
            {"type": "header", "text": plain(f"To moderate: {session.title}", HEADER_MAX)}
        )
        if not pending:
            blocks.append(context(plain("Nothing waiting.")))
        for q in pending:
            blocks += [section(mrkdwn(question_line(q))), moderation_buttons(q)]
    for session, current, upcoming in stage:
        blocks.append({"type": "header", "text": plain(f"Next up: {session.title}", HEADER_MAX)})
        if current is not None:
            blocks.append(section(mrkdwn("🎤 *Now:* " + question_line(current))))
            blocks.append(
                actions(
                    button("Skip", Verb.SKIP, current.id), button("Defer", Verb.DEFER, current.id)
                )
            )
        for q in upcoming:
            blocks.append(section(mrkdwn(question_line(q))))
        if not upcoming:
            blocks.append(context(plain("No approved questions are waiting.")))
        blocks.append(actions(button("Next question", Verb.NEXT, session.id, style="primary")))
    for session, top in audience:
        blocks.append({"type": "header", "text": plain(session.title, HEADER_MAX)})
        blocks += [section(mrkdwn(question_line(q))) for q in top] or [
            context(plain("No questions yet."))
        ]
    if len(blocks) == 1:
        blocks.append(context(plain("No AMA is running. Start one with /ama create.")))
    if len(blocks) > SURFACE_BLOCKS:
        blocks = blocks[: SURFACE_BLOCKS - 1] + [
            context(plain("… more in Slack channels (truncated)."))
        ]
    return {"type": "home", "blocks": blocks}
