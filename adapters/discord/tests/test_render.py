"""render: questions, sessions and events → Discord payloads. Pure; no bot, no fake."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import attrs
import pytest
from qa_core_discord import render
from qa_core_discord.testing.limits import check_message

from qa_core import (
    Answer,
    DuplicateSuggestion,
    Flag,
    Person,
    Question,
    QuestionState,
    QuestionSubmitted,
    Session,
    SessionState,
    SessionSummary,
    UserRef,
    VoteCast,
)

NOW = datetime(2026, 11, 25, 12, tzinfo=UTC)
ALICE = Person(UserRef("discord:1", "101"), "alice")
HOST = Person(UserRef("discord:1", "100"), "host")


def question(**changes: Any) -> Question:
    base = Question(
        id=7,
        session_id=1,
        number=3,
        author=ALICE,
        text="What was the hardest negotiation?",
        original_text="What was the hardest negotiation?",
        state=QuestionState.APPROVED,
        created_at=NOW,
        votes=2,
    )
    return attrs.evolve(base, **changes)


def session(**changes: Any) -> Session:
    base = Session(
        id=1,
        tenant="discord:1",
        title="AMA with Gil",
        intro="Thirty years of diplomacy.",
        state=SessionState.LIVE,
        created_by=HOST,
        created_at=NOW,
        hosts=(HOST,),
    )
    return attrs.evolve(base, **changes)


def body(payload: render.Payload) -> dict[str, object]:
    """The JSON discord.py would send, checked against Discord's limits by the fake's rules."""
    data: dict[str, object] = {"content": payload.content}
    if payload.embed is not None:
        data["embeds"] = [payload.embed.to_dict()]
    rows = [
        {
            "type": 1,
            "components": [
                {"type": 2, "style": 1, "label": b.label, "custom_id": b.custom_id}
                for b in payload.buttons[i : i + 5]
            ],
        }
        for i in range(0, len(payload.buttons), 5)
    ]
    if rows:
        data["components"] = rows
    return data


def assert_fits(payload: render.Payload) -> None:
    violations = check_message(body(payload))
    assert violations == [], violations


# -- text helpers -----------------------------------------------------------------------


def test_clip_marks_what_it_cuts() -> None:
    assert render.clip("short", 10) == "short"
    clipped = render.clip("x" * 5000, 4096)
    assert len(clipped) == 4096 and clipped.endswith(render.TRUNCATED)


def test_split_numbers_its_parts_and_keeps_every_word() -> None:
    text = " ".join(f"w{i}" for i in range(2000))
    parts = render.split(text, 2000)
    assert len(parts) > 1 and all(len(p) <= 2000 for p in parts)
    assert parts[0].endswith(f"(1/{len(parts)})")
    rejoined = " ".join(p.rsplit(" ", 1)[0] for p in parts)
    assert rejoined.split() == text.split()
    assert render.split("short") == ["short"]


def test_split_cuts_a_word_with_no_spaces_rather_than_overflow() -> None:
    parts = render.split("x" * 5000, 2000)
    assert all(len(p) <= 2000 for p in parts)
    assert "".join(p.rsplit(" ", 1)[0] for p in parts) == "x" * 5000


@pytest.mark.parametrize(
    "text",
    [
        "@everyone",
        "@here",
        "<@123456789012345678>",
        "<@!123456789012345678>",
        "<@&123456789012345678>",
    ],
)
def test_safe_defuses_mentions(text: str) -> None:
    assert render.safe(text) != text
    assert "\u200b" in render.safe(text)


def test_nothing_pings_unless_a_user_is_named() -> None:
    quiet = render.Payload(content="hi").allowed_mentions.to_dict()
    assert quiet["parse"] == [] and "users" not in quiet and "roles" not in quiet
    ping = render.Payload(content="hi", ping_users=(5,)).allowed_mentions.to_dict()
    assert ping["parse"] == [] and ping["users"] == [5] and "roles" not in ping


# -- messages ---------------------------------------------------------------------------


def test_public_question_has_its_upvote_and_count() -> None:
    payload = render.public_question(question())
    assert payload.embed is not None
    assert payload.embed.title == "#3 · asked by alice"
    assert [b.custom_id for b in payload.buttons] == ["qa:vote:7"]
    assert payload.buttons[0].label == "▲ Upvote (2)"
    assert_fits(payload)


def test_anonymous_askers_stay_anonymous_everywhere() -> None:
    anonymous = question(anonymous=True)
    for payload in (
        render.public_question(anonymous),
        render.moderation_card(anonymous, None),
        render.stage_card(anonymous, []),
    ):
        assert payload.embed is not None
        assert "alice" not in str(payload.embed.to_dict())
        assert "Anonymous" in str(payload.embed.to_dict())


@pytest.mark.parametrize(
    ("state", "hidden"),
    [
        (QuestionState.WITHDRAWN, True),
        (QuestionState.REJECTED, True),
        (QuestionState.PENDING, True),
        (QuestionState.ANSWERED, False),
        (QuestionState.MERGED, False),
    ],
)
def test_questions_out_of_play_lose_their_button(state: QuestionState, hidden: bool) -> None:
    payload = render.public_question(question(state=state))
    assert payload.buttons == ()
    assert payload.embed is not None and payload.embed.description is not None
    assert ("hardest negotiation" not in payload.embed.description) is hidden


def test_a_huge_question_fits_with_a_marker() -> None:
    payload = render.public_question(question(text="why " * 3000))
    assert payload.embed is not None and payload.embed.description is not None
    assert payload.embed.description.endswith(render.TRUNCATED)
    assert_fits(payload)


def test_moderation_card_offers_the_actions_and_the_duplicate() -> None:
    hint = DuplicateSuggestion(question_id=2, number=1, text="Hardest negotiation?", score=0.9)
    card = render.moderation_card(
        question(state=QuestionState.PENDING, flags=(Flag("word_filter", "idiot"),)), hint
    )
    ids = [b.custom_id for b in card.buttons]
    assert ids == [
        "qa:approve:7",
        "qa:reject:7",
        "qa:edit:7",
        "qa:merge:7",
        "qa:pin:7",
        "qa:mergeinto:7:2",
    ]
    text = str(card.embed.to_dict()) if card.embed else ""
    assert "Looks like #1" in text and "filtered words: idiot" in text
    assert_fits(card)


def test_a_pinned_card_offers_unpin() -> None:
    card = render.moderation_card(question(state=QuestionState.PENDING, pinned=True), None)
    assert "qa:unpin:7" in [b.custom_id for b in card.buttons]


def test_board_lists_the_top_questions_within_limits() -> None:
    many = [question(id=i, number=i, text="x" * 500, votes=100 - i) for i in range(1, 30)]
    summary = SessionSummary(
        session=session(), counts={QuestionState.APPROVED: 29}, on_stage=many[0]
    )
    payload = render.board(summary, many)
    assert payload.embed is not None and payload.embed.description is not None
    lines = payload.embed.description.splitlines()
    assert len(lines) == render.BOARD_SIZE
    assert lines[0].startswith("**#1** (99 votes")
    assert_fits(payload)


def test_announcement_fits_even_at_the_core_limits() -> None:
    big = session(title="T" * 200, intro="I" * 4000, guests=tuple(HOST for _ in range(50)))
    payload = render.announcement(big)
    assert_fits(payload)
    assert payload.buttons[0].custom_id == "qa:ask:1"


@pytest.mark.parametrize("state", [SessionState.CLOSED, SessionState.ARCHIVED])
def test_a_finished_session_invites_no_more_clicks(state: SessionState) -> None:
    assert render.announcement(session(state=state)).buttons == ()
    public = render.public_question(question(state=QuestionState.APPROVED, votes=7), closed=True)
    (button,) = public.buttons
    assert button.disabled and button.label == "▲ Upvote (7)"
    assert public.embed is not None
    footer = public.embed.footer.text or ""
    assert "7 votes" in footer and "voting closed" in footer


def test_answer_posts_ping_only_the_named_asker_once() -> None:
    answered = question(
        state=QuestionState.ANSWERED,
        answer=Answer(text="@everyone " + "long " * 1000, by=HOST, at=NOW),
    )
    posts = render.answer_posts(answered, ping=101)
    assert len(posts) == 3
    assert posts[0].ping_users == (101,) and all(p.ping_users == () for p in posts[1:])
    assert "<@101>" in (posts[0].content or "")
    assert "@everyone" not in (posts[0].content or "").replace("@\u200beveryone", "")
    for post in posts:
        assert_fits(post)
    assert render.answer_posts(answered, ping=None)[0].ping_users == ()


def test_outcome_replies() -> None:
    submitted = QuestionSubmitted(
        session_id=1,
        actor=ALICE,
        at=NOW,
        question=question(state=QuestionState.PENDING),
        suggestion=DuplicateSuggestion(question_id=2, number=1, text="@here?", score=0.9),
    )
    text = render.outcome_reply([submitted])
    assert "#3 is waiting for a moderator" in text and "#1" in text
    assert "@here" not in text.replace("@\u200bhere", "")
    vote = VoteCast(
        session_id=1, actor=ALICE, at=NOW, question_id=7, number=3, voter=ALICE.user, votes=1
    )
    assert render.outcome_reply([vote]) == "Upvoted (1 vote)."
    assert render.outcome_reply([]) == "Nothing changed."
    assert render.error_reply("no @everyone") == "⚠️ no @\u200beveryone"
