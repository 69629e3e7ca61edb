"""One line of plain English per event: for the replay report and the audit log."""

from __future__ import annotations

from . import events as e
from .models import Flag


def _short(text: str, width: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


_FLAGS = {
    "possible_duplicate": "possible duplicate of {detail}",
    "word_filter": "filtered words: {detail}",
    "not_a_question": "reads like a comment, not a question",
}


def describe_flag(flag: Flag) -> str:
    """A screening flag as moderators read it: "possible duplicate of #12"."""
    template = _FLAGS.get(flag.code)
    if template is not None:
        return template.format(detail=flag.detail)
    words = flag.code.replace("_", " ")
    return f"{words}: {flag.detail}" if flag.detail else words


def describe(event: e.Event) -> str:
    match event:
        case e.TenantConfigured(tenant=tenant):
            return f"configured {tenant}"
        case e.SessionCreated(session=s):
            return f"created session {s.id} {s.title!r}"
        case e.SessionUpdated(session=s):
            return f"updated session {s.id}"
        case e.SessionStateChanged(before=before, after=after):
            return f"session {before.value} → {after.value}"
        case e.QuestionSubmitted(question=q, suggestion=hint):
            text = f"asked #{q.number} ({q.state.value}"
            text += ", anonymous)" if q.anonymous else ")"
            flags = [f.code for f in q.flags if f.code != "possible_duplicate"]
            if flags:
                text += f" flagged {', '.join(flags)}"
            if hint:
                text += f"; looks like #{hint.number} ({hint.score:.2f})"
            return f'{text}: "{_short(q.text)}"'
        case e.QuestionEdited(question=q):
            return f'edited #{q.number}: "{_short(q.text)}"'
        case e.QuestionWithdrawn(question=q):
            return f"withdrew #{q.number}"
        case e.QuestionApproved(question=q):
            return f"approved #{q.number}"
        case e.QuestionRejected(question=q, reason=reason, message=message):
            told = f' (told the asker: "{_short(message)}")' if message else ""
            return f"rejected #{q.number} as {reason.value}{told}"
        case e.QuestionsMerged(question=q, duplicate=d):
            return f"merged #{d.number} into #{q.number}, now {q.votes} votes"
        case e.QuestionUnmerged(question=q, former_target=t):
            return f"unmerged #{q.number} from #{t.number} ({q.votes} and {t.votes} votes)"
        case e.QuestionPinned(question=q):
            return f"{'pinned' if q.pinned else 'unpinned'} #{q.number}"
        case e.QuestionTagged(question=q):
            return f"tagged #{q.number}: {', '.join(sorted(q.tags)) or '(none)'}"
        case e.QuestionSelected(question=q, strategy=strategy):
            return f'next: #{q.number} by {strategy} ({q.votes} votes): "{_short(q.text)}"'
        case e.QuestionAnswered(question=q, notify=notify):
            return f"answered #{q.number}, notified {len(notify)} asker(s)"
        case e.QuestionSkipped(question=q):
            return f"skipped #{q.number}"
        case e.QuestionDeferred(question=q):
            return f"deferred #{q.number}"
        case e.VoteCast(number=number, votes=votes):
            return f"voted for #{number}, now {votes}"
        case e.VoteRetracted(number=number, votes=votes):
            return f"took back a vote for #{number}, now {votes}"
        case e.ParticipantRestricted(user=user, restriction=restriction, reason=reason):
            why = f" ({reason})" if reason else ""
            return f"set {user.id} to {restriction.value}{why}"
    return type(event).__name__
