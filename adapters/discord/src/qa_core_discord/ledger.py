"""Which Discord message shows what: the adapter's own state, kept in the core's store.

Values live under the tenant's scope via ``Transaction.put_value``/``get_value``, so a
restarted bot (or another process on the same database) finds every message it posted.
"""

from __future__ import annotations

import json

import attrs

from qa_core import Store, Transaction

Place = tuple[int, int]  # (channel id, message id)


@attrs.frozen
class SessionPlaces:
    channel: int  # where the announcement, board and public questions go
    mod_channel: int | None = None  # where pending questions go
    announcement: Place | None = None
    board: Place | None = None
    closed: bool = False  # its messages were made final (no more clicks) after it closed


@attrs.frozen
class QuestionPlaces:
    public: Place | None = None
    moderation: Place | None = None
    card_open: bool | None = None  # the moderation card shows controls (None: not recorded)


def _place(value: object) -> Place | None:
    if isinstance(value, list) and len(value) == 2 and all(isinstance(v, int) for v in value):
        return (value[0], value[1])
    return None


class Ledger:
    def __init__(self, store: Store) -> None:
        self._store = store

    async def _get(self, tenant: str, key: str) -> dict[str, object] | None:
        raw = await self._store.read(lambda tx: tx.get_value(tenant, key))
        if raw is None:
            return None
        loaded = json.loads(raw)
        return loaded if isinstance(loaded, dict) else None

    async def _put(self, tenant: str, key: str, value: dict[str, object] | int) -> None:
        encoded = json.dumps(value)
        await self._store.write(lambda tx: tx.put_value(tenant, key, encoded))

    async def session(self, tenant: str, session_id: int) -> SessionPlaces | None:
        data = await self._get(tenant, f"session:{session_id}")
        if data is None or not isinstance(data.get("channel"), int):
            return None
        mod = data.get("mod_channel")
        return SessionPlaces(
            channel=int(data["channel"]),  # type: ignore[call-overload]
            mod_channel=mod if isinstance(mod, int) else None,
            announcement=_place(data.get("announcement")),
            board=_place(data.get("board")),
            closed=data.get("closed") is True,
        )

    async def save_session(self, tenant: str, session_id: int, places: SessionPlaces) -> None:
        await self._put(tenant, f"session:{session_id}", _dump(places))

    async def question(self, tenant: str, question_id: int) -> QuestionPlaces:
        data = await self._get(tenant, f"question:{question_id}") or {}
        card_open = data.get("card_open")
        return QuestionPlaces(
            public=_place(data.get("public")),
            moderation=_place(data.get("moderation")),
            card_open=card_open if isinstance(card_open, bool) else None,
        )

    async def save_question(
        self, tenant: str, session_id: int, question_id: int, places: QuestionPlaces
    ) -> None:
        """Record where a question is shown, and list it under its session (for closing)."""
        encoded = json.dumps(_dump(places))
        index = f"questions:{session_id}"

        def work(tx: Transaction) -> None:
            tx.put_value(tenant, f"question:{question_id}", encoded)
            known = _ids(tx.get_value(tenant, index))
            if question_id not in known:
                tx.put_value(tenant, index, json.dumps([*known, question_id]))

        await self._store.write(work)

    async def session_questions(self, tenant: str, session_id: int) -> list[int]:
        """Ids of the session's questions that have a message, in the order they got one."""
        key = f"questions:{session_id}"
        return _ids(await self._store.read(lambda tx: tx.get_value(tenant, key)))


def _ids(raw: str | None) -> list[int]:
    loaded = json.loads(raw) if raw else []
    if not isinstance(loaded, list):
        return []
    return [i for i in loaded if isinstance(i, int) and not isinstance(i, bool)]


def _dump(value: SessionPlaces | QuestionPlaces) -> dict[str, object]:
    return {
        k: list(v) if isinstance(v, tuple) else v
        for k, v in attrs.asdict(value, recurse=False).items()
    }
