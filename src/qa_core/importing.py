"""Re-import a JSON transcript as a new session: ids are new, everything else is kept."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs
import cattrs

from .errors import InvalidInput
from .events import SessionCreated
from .models import Question, Session, UserRef
from .ports import AuditRecord, RestrictionRecord, Store, Transaction
from .serialization import converter, dump_event
from .text import terms
from .transcript import FORMAT, VERSION


def _parse(data: Mapping[str, Any]) -> tuple[Session, list[tuple[Question, list[str]]], list[Any]]:
    if data.get("format") != FORMAT or data.get("version") != VERSION:
        raise InvalidInput(f"Not a {FORMAT} version {VERSION} file.")
    try:
        session = converter.structure(data["session"], Session)
        questions = [
            (
                converter.structure({k: v for k, v in q.items() if k != "voters"}, Question),
                [str(v) for v in q.get("voters", [])],
            )
            for q in data["questions"]
        ]
        restrictions = converter.structure(data.get("restrictions", []), list[RestrictionRecord])
    except (cattrs.BaseValidationError, KeyError, TypeError, ValueError) as error:
        problems = (
            "; ".join(cattrs.transform_error(error))
            if isinstance(error, cattrs.BaseValidationError)
            else repr(error)
        )
        raise InvalidInput(f"The transcript is malformed: {problems}") from None
    return session, sorted(questions, key=lambda pair: pair[0].number), restrictions


async def import_transcript(store: Store, data: Mapping[str, Any]) -> int:
    """Create the session, its questions, votes, merges and restrictions; its new id."""
    session, questions, restrictions = _parse(data)

    def work(tx: Transaction) -> int:
        new = tx.add_session(attrs.evolve(session, on_stage=None))
        ids: dict[int, int] = {}
        for question, _ in questions:
            added = tx.add_question(
                attrs.evolve(question, session_id=new.id, merged_into=None, merged_under=None),
                terms(question.text),
            )
            ids[question.id] = added.id
        for question, voters in questions:
            if question.merged_into is not None:
                moved = attrs.evolve(
                    question,
                    id=ids[question.id],
                    session_id=new.id,
                    merged_into=ids[question.merged_into],
                    merged_under=ids.get(question.merged_under or -1, ids[question.merged_into]),
                )
                tx.save_question(moved)
            for voter in voters:
                tx.add_vote(ids[question.id], UserRef.from_key(voter), counted_on=ids[question.id])
        for question, _ in questions:
            tx.recount(ids[question.id])
        if session.on_stage in ids:
            tx.save_session(attrs.evolve(new, on_stage=ids[session.on_stage]))
        for record in restrictions:
            tx.restrict(new.id, record.user, record.restriction, record.reason)
        created = SessionCreated(
            session_id=new.id, actor=new.created_by, at=new.created_at, session=new
        )
        tx.append_audit(
            AuditRecord(
                0,
                new.id,
                new.created_at,
                new.created_by.user.key,
                "SessionCreated",
                dump_event(created),
            )
        )
        return new.id

    return await store.write(work)
