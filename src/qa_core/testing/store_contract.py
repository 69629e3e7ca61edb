"""The store contract: one suite every Store implementation must pass.

Subclass ``StoreContract`` in a test module and provide a ``store_factory`` fixture: a
callable that opens the *same* database each time it is called (so reopening can be
tested). Set ``persistent = False`` for stores that keep nothing across a reopen.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

import attrs
import pytest

from ..models import (
    Answer,
    Flag,
    Person,
    Question,
    QuestionState,
    Rejection,
    RejectReason,
    Restriction,
    Session,
    SessionSettings,
    SessionState,
    TenantSettings,
    UserRef,
)
from ..ports import AuditRecord, QueueOrder, Store, Transaction

T0 = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
TENANT = "contract:1"
Q = QuestionState


def user(n: int | str, tenant: str = TENANT) -> UserRef:
    return UserRef(tenant, str(n))


def person(n: int | str) -> Person:
    return Person(user(n), f"Person {n}")


def new_session(tenant: str = TENANT, title: str = "AMA") -> Session:
    return Session(
        id=0,
        tenant=tenant,
        title=title,
        intro="",
        state=SessionState.SCHEDULED,
        created_by=person("host"),
        created_at=T0,
    )


def new_question(
    session_id: int, author: int | str, text: str = "What is it?", **kw: Any
) -> Question:
    fields: dict[str, Any] = {
        "id": 0,
        "session_id": session_id,
        "number": 0,
        "author": person(author),
        "text": text,
        "original_text": text,
        "state": Q.APPROVED,
        "created_at": T0,
    }
    fields.update(kw)
    return Question(**fields)


def get(tx: Transaction, question_id: int) -> Question:
    found = tx.question(question_id)
    assert found is not None, f"question {question_id} is missing"
    return found


class StoreContract:
    persistent: ClassVar[bool] = True

    @pytest.fixture
    def store(self, store_factory: Callable[[], Store]) -> Store:
        return store_factory()

    # -- helpers ------------------------------------------------------------------------------

    @staticmethod
    async def seed(
        store: Store, *texts: str, state: QuestionState = Q.APPROVED
    ) -> tuple[int, list[int]]:
        def work(tx: Transaction) -> tuple[int, list[int]]:
            session = tx.add_session(new_session())
            ids = [
                tx.add_question(new_question(session.id, n, text, state=state), text.split()).id
                for n, text in enumerate(texts)
            ]
            return session.id, ids

        return await store.write(work)

    # -- sessions -----------------------------------------------------------------------------

    async def test_sessions_get_ids_and_round_trip(self, store: Store) -> None:
        def work(tx: Transaction) -> tuple[Session, Session]:
            return tx.add_session(new_session(title="one")), tx.add_session(
                new_session(title="two")
            )

        first, second = await store.write(work)
        assert 0 < first.id < second.id
        assert await store.read(lambda tx: tx.session(first.id)) == first
        assert await store.read(lambda tx: tx.session(999_999)) is None

    async def test_sessions_are_listed_per_tenant_newest_first(self, store: Store) -> None:
        def work(tx: Transaction) -> None:
            tx.add_session(new_session(TENANT, "a"))
            tx.add_session(new_session("other:2", "b"))
            tx.add_session(new_session(TENANT, "c"))

        await store.write(work)
        mine = await store.read(lambda tx: tx.sessions(TENANT))
        assert [s.title for s in mine] == ["c", "a"]
        assert len(await store.read(lambda tx: tx.sessions())) == 3

    async def test_save_session(self, store: Store) -> None:
        session = await store.write(lambda tx: tx.add_session(new_session()))
        live = attrs.evolve(session, state=SessionState.LIVE, on_stage=5, guests=(person(9),))
        await store.write(lambda tx: tx.save_session(live))
        assert await store.read(lambda tx: tx.session(session.id)) == live

    # -- questions ----------------------------------------------------------------------------

    async def test_questions_are_numbered_per_session(self, store: Store) -> None:
        def work(tx: Transaction) -> list[Question]:
            a, b = tx.add_session(new_session()), tx.add_session(new_session())
            return [tx.add_question(new_question(s.id, 1), ["x"]) for s in (a, b, a, a)]

        made = await store.write(work)
        assert [q.number for q in made] == [1, 1, 2, 3]
        assert len({q.id for q in made}) == 4
        found = await store.read(lambda tx: tx.question_id_by_number(made[0].session_id, 3))
        assert found == made[3].id
        assert await store.read(lambda tx: tx.question_id_by_number(made[0].session_id, 4)) is None

    async def test_question_round_trips_every_field(self, store: Store) -> None:
        session_id, (qid,) = await self.seed(store, "Why?")
        full = attrs.evolve(
            await store.read(lambda tx: get(tx, qid)),
            text="Why now?",
            state=Q.ANSWERED,
            anonymous=True,
            pinned=True,
            tags=frozenset({"visa", "career"}),
            flags=(Flag("word_filter", "dumb"),),
            answer=Answer("Because.", person("guest"), T0 + timedelta(minutes=3)),
            rejection=Rejection(RejectReason.SPAM, person("mod"), T0, "no"),
            selected_at=T0 + timedelta(minutes=1),
        )
        await store.write(lambda tx: tx.save_question(full))
        assert await store.read(lambda tx: tx.question(qid)) == full

    async def test_save_question_never_touches_votes(self, store: Store) -> None:
        _, (qid,) = await self.seed(store, "q")
        await store.write(lambda tx: tx.add_vote(qid, user(50), qid))
        stale = await store.read(lambda tx: get(tx, qid))
        await store.write(lambda tx: tx.add_vote(qid, user(51), qid))
        await store.write(lambda tx: tx.save_question(attrs.evolve(stale, pinned=True)))
        assert (await store.read(lambda tx: get(tx, qid))).votes == 2

    async def test_queue_orders(self, store: Store) -> None:
        session_id, ids = await self.seed(store, "a", "b", "c", "d")
        a, b, c, d = ids

        def work(tx: Transaction) -> None:
            for voter in range(3):
                tx.add_vote(c, user(100 + voter), c)
            tx.add_vote(b, user(200), b)
            tx.add_vote(d, user(201), d)
            tx.save_question(attrs.evolve(get(tx, a), pinned=True))
            tx.save_question(attrs.evolve(get(tx, d), state=Q.DEFERRED))

        await store.write(work)

        def ids_of(**kw: Any) -> Callable[[Transaction], list[int]]:
            return lambda tx: [q.id for q in tx.questions(session_id, **kw)]

        both = [Q.APPROVED, Q.DEFERRED]
        assert await store.read(ids_of(states=both)) == [c, b, d, a]
        assert await store.read(ids_of(states=both, pinned_first=True)) == [a, c, b, d]
        assert await store.read(ids_of(states=both, order=QueueOrder.NEWEST)) == [d, c, b, a]
        assert await store.read(ids_of(states=both, order=QueueOrder.OLDEST)) == [a, b, c, d]
        assert await store.read(ids_of(states=[Q.APPROVED], limit=2)) == [c, b]
        assert await store.read(ids_of(states=both, limit=2, offset=1)) == [b, d]
        assert await store.read(ids_of(states=[Q.PENDING])) == []

    async def test_counts_by_state(self, store: Store) -> None:
        session_id, ids = await self.seed(store, "a", "b", "c")

        def work(tx: Transaction) -> None:
            tx.save_question(attrs.evolve(get(tx, ids[0]), state=Q.REJECTED))

        await store.write(work)
        counts = await store.read(lambda tx: tx.count_questions(session_id))
        assert counts == {Q.APPROVED: 2, Q.REJECTED: 1}

    async def test_author_history(self, store: Store) -> None:
        def work(tx: Transaction) -> int:
            s = tx.add_session(new_session())
            for minutes in (0, 5, 10):
                tx.add_question(
                    new_question(s.id, "ann", created_at=T0 + timedelta(minutes=minutes)), []
                )
            tx.add_question(new_question(s.id, "bob", created_at=T0 + timedelta(minutes=20)), [])
            return s.id

        sid = await store.write(work)
        count = await store.read(
            lambda tx: tx.author_count_since(sid, user("ann"), T0 + timedelta(minutes=5))
        )
        assert count == 2
        last = await store.read(lambda tx: tx.author_last_at(sid, user("ann")))
        assert last == T0 + timedelta(minutes=10)
        assert await store.read(lambda tx: tx.author_last_at(sid, user("zed"))) is None

    async def test_similar_ranks_by_shared_terms_and_follows_edits(self, store: Store) -> None:
        sid, (visa, book, both) = await self.seed(
            store, "visa delay embassy", "book writing", "visa book embassy"
        )
        found = await store.read(lambda tx: tx.similar(sid, ["visa", "embassy"], 10))
        assert [q.id for q in found][:2] == [both, visa]
        assert book not in [q.id for q in found]

        def reword(tx: Transaction) -> None:
            tx.save_question(attrs.evolve(get(tx, book), text="x"), ["visa", "embassy", "delay"])

        await store.write(reword)
        found = await store.read(lambda tx: tx.similar(sid, ["delay"], 10))
        assert {q.id for q in found} == {visa, book}

    # -- votes --------------------------------------------------------------------------------

    async def test_votes_add_remove_and_recount_over_duplicates(self, store: Store) -> None:
        _, (root, dup) = await self.seed(store, "root", "dup")

        def vote(tx: Transaction) -> None:
            tx.add_vote(root, user(1), root)
            tx.add_vote(root, user(2), root)
            tx.add_vote(dup, user(2), dup)
            tx.add_vote(dup, user(3), dup)

        await store.write(vote)
        assert await store.read(lambda tx: tx.voted([root, dup], user(2))) == [root, dup]

        def merge(tx: Transaction) -> int:
            tx.save_question(attrs.evolve(get(tx, dup), state=Q.MERGED, merged_into=root))
            return tx.recount(root)

        assert await store.write(merge) == 3  # users 1, 2, 3: user 2 once
        assert [q.id for q in await store.read(lambda tx: tx.duplicates_of(root))] == [dup]
        assert await store.write(lambda tx: tx.remove_votes([root, dup], user(2), root)) == 2
        assert await store.read(lambda tx: tx.voters(dup)) == [user(3)]
        assert await store.read(lambda tx: tx.voters(root)) == [user(1)]

    # -- participants, audit, idempotency --------------------------------------------------------

    async def test_restrictions(self, store: Store) -> None:
        sid = (await store.write(lambda tx: tx.add_session(new_session()))).id
        await store.write(lambda tx: tx.restrict(sid, user(7), Restriction.MUTED, "loud"))
        await store.write(lambda tx: tx.restrict(sid, user(7), Restriction.BANNED, "spam"))
        assert await store.read(lambda tx: tx.restriction(sid, user(7))) is Restriction.BANNED
        [record] = await store.read(lambda tx: tx.restrictions(sid))
        assert (record.user, record.reason) == (user(7), "spam")
        await store.write(lambda tx: tx.restrict(sid, user(7), Restriction.NONE, None))
        assert await store.read(lambda tx: tx.restriction(sid, user(7))) is Restriction.NONE
        assert await store.read(lambda tx: tx.restrictions(sid)) == []

    async def test_audit_is_appended_and_paged_per_session(self, store: Store) -> None:
        def work(tx: Transaction) -> None:
            for n in range(5):
                tx.append_audit(AuditRecord(0, 1 + n % 2, T0, "a/b", "Kind", f'{{"n": {n}}}'))

        await store.write(work)
        first = await store.read(lambda tx: tx.audit(1, limit=2))
        assert [r.payload for r in first] == ['{"n": 0}', '{"n": 2}']
        rest = await store.read(lambda tx: tx.audit(1, after=first[-1].seq))
        assert [r.payload for r in rest] == ['{"n": 4}']
        assert rest[0].at == T0

    async def test_idempotency_memory_is_scoped(self, store: Store) -> None:
        await store.write(lambda tx: tx.remember("t1", "k", "done", T0))
        assert await store.read(lambda tx: tx.recall("t1", "k")) == "done"
        assert await store.read(lambda tx: tx.recall("t2", "k")) is None

    # -- atomicity and durability --------------------------------------------------------------

    async def test_a_failed_transaction_leaves_no_trace(self, store: Store) -> None:
        sid, (qid,) = await self.seed(store, "q")

        def fail(tx: Transaction) -> None:
            tx.add_question(new_question(sid, 5), ["ghost"])
            tx.add_vote(qid, user(9), qid)
            tx.restrict(sid, user(9), Restriction.BANNED, None)
            tx.remember("t", "k", "x", T0)
            raise RuntimeError("boom")

        with pytest.raises(RuntimeError):
            await store.write(fail)
        assert (await store.read(lambda tx: get(tx, qid))).votes == 0
        assert await store.read(lambda tx: tx.count_questions(sid)) == {Q.APPROVED: 1}
        assert await store.read(lambda tx: tx.restriction(sid, user(9))) is Restriction.NONE
        assert await store.read(lambda tx: tx.recall("t", "k")) is None
        assert await store.read(lambda tx: tx.similar(sid, ["ghost"], 5)) == []
        # and the numbering did not skip
        added = await store.write(lambda tx: tx.add_question(new_question(sid, 6), []))
        assert added.number == 2

    async def test_committed_data_survives_reopening(
        self, store_factory: Callable[[], Store]
    ) -> None:
        if not self.persistent:
            pytest.skip("this store keeps nothing across a reopen")
        first = store_factory()
        sid, (qid,) = await self.seed(first, "kept?")
        await first.write(lambda tx: tx.add_vote(qid, user(1), qid))
        await first.close()
        again = store_factory()
        try:
            assert (await again.read(lambda tx: get(tx, qid))).votes == 1
            assert (await again.read(lambda tx: tx.session(sid))) is not None
        finally:
            await again.close()

    # -- tenants and adapter state ------------------------------------------------------------

    async def test_tenant_settings_round_trip(self, store: Store) -> None:
        assert await store.read(lambda tx: tx.tenant_settings(TENANT)) is None
        settings = TenantSettings(
            defaults=SessionSettings(strategy="top"), options=(("ama_channel", "42"),)
        )
        await store.write(lambda tx: tx.save_tenant_settings(TENANT, settings))
        await store.write(lambda tx: tx.save_tenant_settings("other:9", TenantSettings()))
        assert await store.read(lambda tx: tx.tenant_settings(TENANT)) == settings

    async def test_old_memory_and_expired_values_are_forgotten(self, store: Store) -> None:
        def work(tx: Transaction) -> None:
            tx.remember("u", "old", "x", T0)
            tx.remember("u", "new", "y", T0 + timedelta(days=3))
            tx.put_value("s", "dedupe", "1", expires_at=T0 + timedelta(minutes=10))
            tx.put_value("s", "state", "2")  # never expires

        await store.write(work)
        assert await store.write(lambda tx: tx.forget(T0 + timedelta(days=1))) == 2
        assert await store.read(lambda tx: tx.recall("u", "old")) is None
        assert await store.read(lambda tx: tx.recall("u", "new")) == "y"
        assert await store.read(lambda tx: tx.get_value("s", "dedupe")) is None
        assert await store.read(lambda tx: tx.get_value("s", "state")) == "2"

    async def test_adapter_values(self, store: Store) -> None:
        await store.write(lambda tx: tx.put_value("discord:msg", "q:1", "123/456"))
        await store.write(lambda tx: tx.put_value("discord:msg", "q:1", "123/789"))
        assert await store.read(lambda tx: tx.get_value("discord:msg", "q:1")) == "123/789"
        assert await store.read(lambda tx: tx.get_value("slack:msg", "q:1")) is None
        await store.write(lambda tx: tx.put_value("discord:msg", "q:1", None))
        assert await store.read(lambda tx: tx.get_value("discord:msg", "q:1")) is None
