"""Pure tests of Block Kit rendering: escaping, plain_text, limits, anonymity, states."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from qa_core_slack import render
from qa_core_slack.testing import check_message, check_view, find_unescaped_mentions

from qa_core import (
    Answer,
    Person,
    Question,
    QuestionState,
    RejectReason,
    Session,
    SessionSettings,
    SessionState,
    UserRef,
)

NOW = datetime(2026, 3, 1, 17, 0, tzinfo=UTC)
EVIL = (
    "<!channel> <!here> <!everyone> <!subteam^S1|@all> <@U0BOSS>"
    " <https://evil.example|docs.python.org> *bold* & more"
)
ASKER = Person(UserRef("slack:T1", "U0ASKER"), "Secret Asker")


def question(n: int = 1, text: str = EVIL, **changes: Any) -> Question:
    fields: dict[str, Any] = dict(
        id=n,
        session_id=1,
        number=n,
        author=ASKER,
        text=text,
        state=QuestionState.APPROVED,
        created_at=NOW,
        original_text=text,
        votes=3,
    )
    fields.update(changes)
    return Question(**fields)


def session(**changes: Any) -> Session:
    fields: dict[str, Any] = dict(
        id=1,
        tenant="slack:T1",
        title=EVIL,
        intro=EVIL,
        state=SessionState.LIVE,
        created_by=ASKER,
        created_at=NOW,
        guests=(Person(UserRef("slack:T1", "U0G"), EVIL),),
    )
    fields.update(changes)
    return Session(**fields)


def all_payloads() -> list[tuple[str, dict[str, Any]]]:
    long = "word " * 2000
    answered = question(
        2, long, state=QuestionState.ANSWERED, answer=Answer(text=EVIL + long, by=ASKER, at=NOW)
    )
    many = [question(n, long, votes=n) for n in range(1, 60)]
    return [
        ("announcement", render.announcement(session())),
        ("public", render.public_question(question())),
        ("public-long", render.public_question(question(text=long))),
        ("board", render.board(session(), many)),
        ("card", render.moderation_card(question(state=QuestionState.PENDING))),
        ("card-rejected", render.moderation_card(question(state=QuestionState.REJECTED))),
        ("stage", render.on_stage(question())),
        ("answer", render.answer(answered)),
        ("dm", render.answered_dm(question(), session())),
        ("rejected", render.rejected_dm(question(), RejectReason.SPAM, EVIL)),
        ("note", render.session_note(session())),
        ("notice", render.notice(EVIL)),
        ("queue", render.queue_reply(session(), many, 4)),
        ("voted", render.voted_reply(question(), already=True)),
    ]


@pytest.mark.parametrize(
    ("name", "payload"), all_payloads(), ids=lambda v: v if isinstance(v, str) else ""
)
def test_messages_respect_limits_and_ping_nobody(name: str, payload: dict[str, Any]) -> None:
    assert check_message(text=payload.get("text"), blocks=payload.get("blocks")) is None, name
    assert find_unescaped_mentions([(name, payload)]) == []


def test_modals_and_home_respect_view_limits() -> None:
    many = [question(n, "word " * 700) for n in range(1, 60)]
    views = [
        render.ask_modal(session()),
        render.reject_modal(question()),
        render.edit_modal(question(text="x" * 5000)),
        render.merge_modal(question(), many),
        render.home([(session(), many)], [(session(), many[0], many[:5])], [(session(), many[:5])]),
    ]
    for view in views:
        assert check_view(view) is None, view.get("callback_id")
        assert find_unescaped_mentions([("view", view)]) == []
    home = views[-1]
    assert len(home["blocks"]) <= 100 and "truncated" in json.dumps(home["blocks"][-1])


def test_user_text_is_plain_or_escaped_and_truncation_is_visible() -> None:
    payload = render.public_question(question(text="x" * 5000))
    body = [b for b in payload["blocks"] if b["type"] == "section"][1]
    assert body["text"]["type"] == "plain_text"
    assert body["text"]["text"].endswith("(truncated)") and len(body["text"]["text"]) == 3000
    board = render.board(session(), [question()])
    parsed = [board["text"]] + [
        b["text"]["text"] for b in board["blocks"] if b.get("text", {}).get("type") == "mrkdwn"
    ]
    assert all("<" not in text and ">" not in text for text in parsed)
    assert "&lt;!channel&gt;" in parsed[0] and "&amp; more" in parsed[-1]


def test_anonymous_askers_stay_anonymous_in_public() -> None:
    anon = question(anonymous=True)
    for payload in (render.public_question(anon), render.board(session(), [anon])):
        assert "Secret Asker" not in json.dumps(payload)
    assert "Anonymous" in json.dumps(render.public_question(anon))


def test_buttons_follow_the_state() -> None:
    def ids(payload: dict[str, Any]) -> list[str]:
        return [
            e["action_id"]
            for b in payload["blocks"]
            if b["type"] == "actions"
            for e in b["elements"]
        ]

    assert ids(render.public_question(question())) == ["qa:vote:1"]
    assert ids(render.public_question(question(state=QuestionState.ANSWERED))) == []
    assert ids(render.moderation_card(question(state=QuestionState.PENDING)))[:2] == [
        "qa:approve:1",
        "qa:reject:1",
    ]
    assert ids(render.moderation_card(question(state=QuestionState.REJECTED))) == []
    assert ids(render.announcement(session(state=SessionState.CLOSED))) == []
    no_anon = render.ask_modal(session(settings=SessionSettings(allow_anonymous=False)))
    assert "anonymous" not in json.dumps(no_anon)


def test_a_long_answer_is_split_not_cut() -> None:
    text = "a" * 9000
    payload = render.answer(
        question(state=QuestionState.ANSWERED, answer=Answer(text=text, by=ASKER, at=NOW))
    )
    chunks = [b["text"]["text"] for b in payload["blocks"][1:]]
    assert "".join(chunks) == text


def test_a_question_removed_after_it_was_public_loses_its_text() -> None:
    for state in (QuestionState.REJECTED, QuestionState.WITHDRAWN):
        payload = render.public_question(question(text="Buy cheap watches", state=state))
        assert "watches" not in json.dumps(payload)
        assert check_message(text=payload["text"], blocks=payload["blocks"]) is None
