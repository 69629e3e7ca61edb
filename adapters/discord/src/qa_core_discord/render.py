"""qa-core questions, sessions and events → Discord message payloads. Pure: no I/O.

Every payload is mention-safe by construction: user text is escaped, and ``allowed_mentions``
is ``AllowedMentions.none()`` unless a payload names the users it means to ping. Every text is
cut to Discord's limits with a visible marker, or split into numbered parts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import discord

from qa_core import (
    DuplicateSuggestion,
    Event,
    Question,
    QuestionAnswered,
    QuestionApproved,
    QuestionRejected,
    QuestionSelected,
    QuestionsMerged,
    QuestionState,
    QuestionSubmitted,
    RejectReason,
    Session,
    SessionState,
    SessionSummary,
    TenantSettings,
    VoteCast,
    VoteRetracted,
    describe_flag,
)

from . import translate as t

MAX_CONTENT = 2000
MAX_TITLE = 256
MAX_DESCRIPTION = 4096
MAX_FIELD = 1024
MAX_FOOTER = 2048
MAX_LABEL = 80
MAX_THREAD_NAME = 100
TRUNCATED = "… [truncated]"
BOARD_SIZE = 10
BOARD_LINE = 120
COLOUR = discord.Colour.blurple()


@dataclass(frozen=True)
class Button:
    custom_id: str
    label: str
    style: str = "secondary"  # primary, secondary, success, danger
    disabled: bool = False


@dataclass(frozen=True)
class Payload:
    """One message: text, an embed, buttons, and the only users it may ping."""

    content: str | None = None
    embed: discord.Embed | None = field(default=None, compare=False)
    buttons: tuple[Button, ...] = ()
    ping_users: tuple[int, ...] = ()

    @property
    def allowed_mentions(self) -> discord.AllowedMentions:
        if not self.ping_users:
            return discord.AllowedMentions.none()
        return discord.AllowedMentions(
            everyone=False,
            roles=False,
            replied_user=False,
            users=[discord.Object(id=user) for user in self.ping_users],
        )


# -- text -------------------------------------------------------------------------------


def safe(text: str) -> str:
    """User text that cannot ping even if allowed mentions were forgotten somewhere."""
    return discord.utils.escape_mentions(text)


def clip(text: str, limit: int, marker: str = TRUNCATED) -> str:
    """``text`` cut to ``limit`` characters, ending with a visible marker when cut."""
    if len(text) <= limit:
        return text
    return text[: max(limit - len(marker), 0)].rstrip() + marker[:limit]


def split(text: str, limit: int = MAX_CONTENT) -> list[str]:
    """``text`` in parts of at most ``limit`` characters, each marked "(i/n)" when split.

    Parts break at a line end or a space when one is near, so words stay whole.
    """
    if len(text) <= limit:
        return [text]
    room = limit - len(" (99/99)")
    parts: list[str] = []
    rest = text
    while rest:
        if len(rest) <= room:
            parts.append(rest)
            break
        cut = max(rest.rfind("\n", 0, room), rest.rfind(" ", 0, room))
        if cut < room // 2:
            cut = room
        parts.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    total = len(parts)
    return [f"{part} ({i}/{total})" for i, part in enumerate(parts, start=1)]


def votes(count: int) -> str:
    return f"{count} vote" + ("" if count == 1 else "s")


def names(people: Sequence[object]) -> str:
    return ", ".join(safe(getattr(p, "name", str(p))) for p in people)


STATE_LABELS = {
    QuestionState.PENDING: "waiting for a moderator",
    QuestionState.APPROVED: "in the queue",
    QuestionState.SELECTED: "with the guest now",
    QuestionState.ANSWERED: "answered",
    QuestionState.DEFERRED: "deferred",
    QuestionState.SKIPPED: "skipped",
    QuestionState.REJECTED: "rejected",
    QuestionState.WITHDRAWN: "withdrawn by its author",
    QuestionState.MERGED: "merged",
}
# Public messages stop showing the words of questions taken back, turned down, or reworded
# and back with the moderators (new words are not public until approved again).
HIDDEN = {
    QuestionState.PENDING: "*Reworded: waiting for a moderator again.*",
    QuestionState.WITHDRAWN: "*Withdrawn by its author.*",
    QuestionState.REJECTED: "*Removed by a moderator.*",
}
FINISHED = frozenset({SessionState.CLOSED, SessionState.ARCHIVED})
VOTABLE = frozenset({QuestionState.APPROVED, QuestionState.DEFERRED, QuestionState.SELECTED})
SESSION_LABELS = {
    SessionState.SCHEDULED: "Scheduled: questions are open",
    SessionState.LIVE: "Live",
    SessionState.PAUSED: "Paused: questions are still collected",
    SessionState.CLOSED: "Closed",
    SessionState.ARCHIVED: "Archived",
}


# -- the AMA channel --------------------------------------------------------------------


def announcement(session: Session) -> Payload:
    embed = discord.Embed(
        title=clip(f"AMA: {safe(session.title)}", MAX_TITLE),
        description=clip(safe(session.intro), MAX_DESCRIPTION) or None,
        colour=COLOUR,
    )
    if session.guests:
        embed.add_field(name="Guests", value=clip(names(session.guests), MAX_FIELD), inline=True)
    embed.add_field(name="Hosts", value=clip(names(session.hosts), MAX_FIELD), inline=True)
    if session.scheduled_start is not None:
        stamp = int(session.scheduled_start.timestamp())
        embed.add_field(name="Starts", value=f"<t:{stamp}:F>", inline=True)
    embed.add_field(name="Status", value=SESSION_LABELS[session.state], inline=False)
    if session.state in FINISHED:
        embed.set_footer(text=f"Session {session.id} · questions are closed")
        return Payload(embed=embed)  # nothing left to click
    embed.set_footer(text=f"Session {session.id} · ask with the button or /ama ask")
    ask = Button(t.button_id("ask", session.id), "Ask a question", "primary")
    return Payload(embed=embed, buttons=(ask,))


def thread_name(session: Session) -> str:
    return clip(f"AMA: {session.title}", MAX_THREAD_NAME, "…")


def _question_line(question: Question) -> str:
    text = clip(" ".join(safe(question.text).split()), BOARD_LINE)
    pin = "📌 " if question.pinned else ""
    stage = " · **on stage**" if question.state is QuestionState.SELECTED else ""
    return f"{pin}**#{question.number}** ({votes(question.votes)}{stage}) {text}"


def board(summary: SessionSummary, top: Sequence[Question]) -> Payload:
    """The board message: the top questions, live counts, and where the session stands."""
    session = summary.session
    lines = [_question_line(q) for q in top[:BOARD_SIZE]] or ["*No questions yet.*"]
    description = ""
    for line in lines:
        if len(description) + len(line) + 1 > MAX_DESCRIPTION - len(TRUNCATED):
            description += TRUNCATED
            break
        description += line + "\n"
    embed = discord.Embed(
        title=clip(f"Top questions: {safe(session.title)}", MAX_TITLE),
        description=description.strip(),
        colour=COLOUR,
    )
    if summary.on_stage is not None:
        embed.add_field(
            name="With the guest now",
            value=clip(f"#{summary.on_stage.number}: {safe(summary.on_stage.text)}", MAX_FIELD),
            inline=False,
        )
    if session.state in FINISHED:
        footer = f"{SESSION_LABELS[session.state]}: final standings · {summary.answered} answered"
    else:
        footer = (
            f"{SESSION_LABELS[session.state]} · {summary.waiting} waiting · "
            f"{summary.answered} answered"
        )
    embed.set_footer(text=footer)
    return Payload(embed=embed)


def public_question(question: Question, *, closed: bool = False) -> Payload:
    """A public question with its Upvote button and live count (no button once it is over).

    ``closed``: the session is over; the button stays, disabled, showing the final count.
    """
    text = HIDDEN.get(question.state) or clip(safe(question.text), MAX_DESCRIPTION)
    embed = discord.Embed(
        title=clip(f"#{question.number} · asked by {safe(question.public_author())}", MAX_TITLE),
        description=text,
        colour=COLOUR,
    )
    status = STATE_LABELS[question.state]
    if question.state is QuestionState.MERGED and question.merged_into is not None:
        status = "merged into another question: vote there"
    edited = " · edited" if question.edited else ""
    pin = "📌 pinned · " if question.pinned else ""
    final = " · voting closed" if closed else ""
    embed.set_footer(text=f"{pin}{votes(question.votes)} · {status}{edited}{final}")
    buttons: tuple[Button, ...] = ()
    if question.state in VOTABLE:
        label = f"▲ Upvote ({question.votes})"
        style = "secondary" if closed else "primary"
        buttons = (Button(t.button_id("vote", question.id), label, style, disabled=closed),)
    return Payload(embed=embed, buttons=buttons)


def selected_notice(question: Question) -> Payload:
    return Payload(
        content=clip(
            f"🎙️ Now with the guest: **#{question.number}** "
            f"(asked by {safe(question.public_author())}, {votes(question.votes)})",
            MAX_CONTENT,
        )
    )


def answer_posts(question: Question, ping: int | None) -> list[Payload]:
    """The answer as messages (split when long); the first names the asker it pings."""
    assert question.answer is not None
    by = safe(question.answer.by.name)
    head = f"**Answer to #{question.number}** by {by}"
    if ping is not None:
        head += f" · <@{ping}>"
    body = safe(question.answer.text)
    parts = split(f"{head}\n{body}")
    return [
        Payload(content=part, ping_users=(ping,) if ping is not None and i == 0 else ())
        for i, part in enumerate(parts)
    ]


# -- the moderators' channel ------------------------------------------------------------


def moderation_card(question: Question, suggestion: DuplicateSuggestion | None) -> Payload:
    """A pending question with Approve / Reject / Edit / Merge / Pin, and the duplicate hint.

    Under post-moderation the question is already public: the same card, without Approve.

    Anonymous askers stay anonymous here too: the full export is where moderators see who.
    """
    pending = question.state is QuestionState.PENDING
    heading = "Pending" if pending else "Public"
    embed = discord.Embed(
        title=clip(
            f"{heading} #{question.number} · from {safe(question.public_author())}", MAX_TITLE
        ),
        description=clip(safe(question.text), MAX_DESCRIPTION),
        colour=discord.Colour.orange(),
    )
    flags = [safe(describe_flag(f)) for f in question.flags]
    if flags:
        embed.add_field(name="Flags", value=clip("; ".join(flags), MAX_FIELD), inline=False)
    if suggestion is not None:
        embed.add_field(
            name=f"Looks like #{suggestion.number}",
            value=clip(safe(suggestion.text), MAX_FIELD),
            inline=False,
        )
    embed.set_footer(text=f"Question {question.id} · session {question.session_id}")
    qid = question.id
    buttons = [
        *([Button(t.button_id("approve", qid), "Approve", "success")] if pending else []),
        Button(t.button_id("reject", qid), "Reject…", "danger"),
        Button(t.button_id("edit", qid), "Edit…"),
        Button(t.button_id("merge", qid), "Merge…"),
        Button(
            t.button_id("unpin" if question.pinned else "pin", qid),
            "Unpin" if question.pinned else "Pin",
        ),
    ]
    if suggestion is not None and suggestion.question_id != qid:
        buttons.append(
            Button(
                t.button_id("mergeinto", qid, suggestion.question_id),
                clip(f"Merge into #{suggestion.number}", MAX_LABEL),
            )
        )
    return Payload(embed=embed, buttons=tuple(buttons))


def moderation_done(question: Question, note: str) -> Payload:
    """The card once a moderator has acted: what happened, no buttons."""
    embed = discord.Embed(
        title=clip(f"#{question.number} · {note}", MAX_TITLE),
        description=clip(safe(question.text), MAX_DESCRIPTION),
        colour=discord.Colour.dark_grey(),
    )
    if question.rejection is not None:
        reason = question.rejection.reason.value.replace("_", " ")
        embed.add_field(name="Reason", value=reason, inline=True)
        if question.rejection.message:
            embed.add_field(
                name="Told the asker", value=clip(safe(question.rejection.message), MAX_FIELD)
            )
    return Payload(embed=embed)


def moderation_note(question: Question, actor: str) -> str:
    who = safe(actor)
    return {
        QuestionState.APPROVED: f"approved by {who}",
        QuestionState.REJECTED: f"rejected by {who}",
        QuestionState.MERGED: f"merged by {who}",
        QuestionState.WITHDRAWN: "withdrawn by its author",
    }.get(question.state, f"{STATE_LABELS[question.state]} ({who})")


# -- the guest's and host's stage -------------------------------------------------------


def stage_card(question: Question | None, upcoming: Sequence[Question]) -> Payload:
    """For the guest and host: the question on stage with its actions, and what is next."""
    if question is None:
        embed = discord.Embed(title="Nothing on stage", colour=COLOUR)
        buttons: tuple[Button, ...] = ()
    else:
        embed = discord.Embed(
            title=clip(
                f"On stage: #{question.number} · {safe(question.public_author())} · "
                f"{votes(question.votes)}",
                MAX_TITLE,
            ),
            description=clip(safe(question.text), MAX_DESCRIPTION),
            colour=discord.Colour.green(),
        )
        buttons = (
            Button(t.button_id("answer", question.id), "Answer…", "success"),
            Button(t.button_id("skip", question.id), "Skip"),
            Button(t.button_id("defer", question.id), "Later"),
            Button(t.button_id("next", question.session_id), "Next question", "primary"),
        )
    if upcoming:
        lines = "\n".join(_question_line(q) for q in upcoming[:5])
        embed.add_field(name="Next up", value=clip(lines, MAX_FIELD), inline=False)
    return Payload(embed=embed, buttons=buttons)


def queue_listing(session: Session, questions: Sequence[Question], pending: int | None) -> Payload:
    lines = "\n".join(_question_line(q) for q in questions) or "*No questions in the queue.*"
    embed = discord.Embed(
        title=clip(f"Queue: {safe(session.title)}", MAX_TITLE),
        description=clip(lines, MAX_DESCRIPTION),
        colour=COLOUR,
    )
    if pending is not None:
        embed.set_footer(text=f"{pending} waiting for a moderator")
    return Payload(embed=embed)


def settings_summary(settings: TenantSettings) -> Payload:
    def roles(option: str, default: str) -> str:
        ids = t.id_list(settings.option(option))
        return " ".join(f"<@&{i}>" for i in sorted(ids)) or default

    def channel(option: str) -> str:
        ids = t.id_list(settings.option(option))
        return " ".join(f"<#{i}>" for i in sorted(ids)) or "not set"

    lines = [
        f"**Moderator roles:** {roles(t.MODERATOR_ROLES, 'members with Manage Messages')}",
        f"**Host roles:** {roles(t.HOST_ROLES, 'members with Manage Server')}",
        f"**Moderation:** {settings.defaults.moderation.value}",
        f"**Selection strategy:** {safe(settings.defaults.strategy)}",
        f"**AMA channel:** {channel(t.AMA_CHANNEL)}",
        f"**Moderators' channel:** {channel(t.MOD_CHANNEL)}",
        f"**A thread per AMA:** {'yes' if settings.option(t.THREADS) == 'on' else 'no'}",
    ]
    return Payload(content="\n".join(lines))


# -- direct messages --------------------------------------------------------------------


def answered_dm(question: Question, link: str | None) -> Payload:
    where = f": {link}" if link else "."
    return Payload(content=f"Your question #{question.number} was answered{where}")


def rejected_dm(question: Question, reason: RejectReason, message: str | None) -> Payload:
    text = f"Your question #{question.number} was not accepted ({reason.value.replace('_', ' ')})."
    if message:
        text += f"\nFrom the moderators: {safe(message)}"
    return Payload(content=clip(text, MAX_CONTENT))


# -- what the person who clicked is told ------------------------------------------------


def outcome_reply(events: Sequence[Event]) -> str:
    """A short ephemeral confirmation of what a command did."""
    for event in reversed(events):
        if isinstance(event, QuestionSubmitted):
            q = event.question
            if q.state is QuestionState.PENDING:
                text = f"Thanks! Question #{q.number} is waiting for a moderator."
            else:
                text = f"Thanks! Question #{q.number} is in the queue."
            if event.suggestion is not None:
                text += (
                    f"\nIt looks like #{event.suggestion.number}: "
                    f"“{clip(safe(event.suggestion.text), 200)}”. You can upvote that one too."
                )
            return text
        if isinstance(event, VoteCast):
            return f"Upvoted ({votes(event.votes)})."
        if isinstance(event, VoteRetracted):
            return f"Vote taken back ({votes(event.votes)})."
        if isinstance(event, QuestionApproved):
            return f"Approved #{event.question.number}."
        if isinstance(event, QuestionRejected):
            return f"Rejected #{event.question.number}; the asker is told."
        if isinstance(event, QuestionsMerged):
            return f"Merged #{event.duplicate.number} into #{event.question.number}."
        if isinstance(event, QuestionSelected):
            return f"#{event.question.number} is with the guest now."
        if isinstance(event, QuestionAnswered):
            return f"Answer to #{event.question.number} posted."
    if events:
        return "Done."
    return "Nothing changed."


def suggestion_buttons(suggestion: DuplicateSuggestion | None) -> tuple[Button, ...]:
    if suggestion is None:
        return ()
    return (Button(t.button_id("vote", suggestion.question_id), f"▲ Upvote #{suggestion.number}"),)


def error_reply(message: str) -> str:
    return clip(f"⚠️ {safe(message)}", MAX_CONTENT)
