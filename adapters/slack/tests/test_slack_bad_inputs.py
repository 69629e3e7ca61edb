"""Hostile and broken input: injection, oversize text, forged buttons, retries, signatures."""

from __future__ import annotations

import json

from slack_support import (
    AMA,
    GUEST,
    HOST,
    MOD,
    MODS,
    Harness,
    action_ids,
    card_for,
    public_for,
    setup_ama,
    texts,
)

from qa_core import Actor, QuestionState, Role, UserRef

INJECTION = (
    "<!channel> <!here> <!subteam^S0ADMINS|@admins> <@U0HOST> read"
    " <https://evil.example/x|docs.python.org> &amp; more?"
)
RAW_INJECTION = (
    "<!channel> <!everyone> <@U0HOST|hana> see"
    " <https://evil.example|https://docs.python.org> now & then?"
)


async def question_state(bot: Harness, question_id: int) -> QuestionState:
    admin = Actor(UserRef("slack:T0001", HOST), "hana", frozenset({Role.HOST}))
    return (await bot.runtime.engine.views.question(question_id, admin)).state


async def test_mentions_and_links_in_questions_and_answers_ping_nobody(bot: Harness) -> None:
    await setup_ama(bot)
    # as Slack delivers slash-command text (entities and control sequences)
    await bot.slash(f"ask {INJECTION}", user="U0001")
    # raw, as typed into the modal
    await bot.slash("ask", user="U0002")
    await bot.submit(
        bot.last_view("U0002"), {"question": {"question": RAW_INJECTION}}, user="U0002"
    )
    for number in (1, 2):
        await bot.click(card_for(bot, number), f"qa:approve:{number}", user=MOD)
    await bot.slash("next", user=GUEST)
    await bot.slash(f"answer {INJECTION}", user=GUEST)
    bot.fake.assert_no_unescaped_mentions()
    shown = texts(bot.messages(AMA)) + texts(bot.messages(MODS))
    assert "&lt;!channel&gt;" in shown  # the raw one is shown, harmless, as typed
    assert "evil.example" in shown  # a link's real address is visible, never hidden by a label
    assert "@admins" in shown


async def test_an_oversize_question_is_refused_with_an_explanation(bot: Harness) -> None:
    await setup_ama(bot)
    await bot.slash("ask " + "Why? " * 1200, user="U0001")
    reply = bot.last_reply()
    assert "limit" in reply or "long" in reply, reply
    assert not bot.messages(MODS)
    # the same through the modal: refused, and the asker is told by DM
    await bot.slash("ask", user="U0001")
    await bot.submit(bot.last_view("U0001"), {"question": {"question": "x" * 4000}}, user="U0001")
    assert not bot.messages(MODS)
    dm = [
        c for c in bot.fake.calls_to("chat.postMessage") if str(c.params["channel"]).startswith("D")
    ]
    assert dm and ("limit" in dm[-1].params["text"] or "long" in dm[-1].params["text"])


async def test_a_participant_clicking_approve_is_refused_privately(bot: Harness) -> None:
    await setup_ama(bot)
    await bot.slash("ask Is anyone going to moderate this question?", user="U0001")
    card = card_for(bot, 1)
    for action in ("qa:approve:1", "qa:reject:1", "qa:merge:1", "qa:pin:1"):
        await bot.click(card, action, user="U0007")
        reply = bot.fake.responses[-1]
        assert reply.user_id == "U0007" and reply.body.get("response_type") == "ephemeral"
        assert reply.body.get("replace_original") is False
    assert await question_state(bot, 1) is QuestionState.PENDING
    assert not [v for v in bot.fake.views.values() if v.user_id == "U0007"]  # no modal opened
    assert card_for(bot, 1).edits == 0


async def test_forged_action_ids_and_values_are_refused(bot: Harness) -> None:
    await setup_ama(bot)
    await bot.slash("ask What does a forged button look like?", user="U0001")
    card = card_for(bot, 1)
    forged = [
        ("qa:approve:1", "2"),  # value disagrees with the id
        ("qa:approve:1 OR 1=1", "1"),
        ("qa:nuke:1", "1"),
        ("qa:approve:0", "0"),
        ("qa:approve:" + "9" * 40, "9"),
        ("other:thing", None),
    ]
    for action, value in forged:
        request = bot.factory().block_actions(
            action, value, user_id=MOD, channel_id=MODS, message=card.to_api()
        )
        await bot.send(request)
        assert "not one of ours" in bot.last_reply() or "tampered" in bot.last_reply(), (
            action,
            bot.last_reply(),
        )
    await bot.click(card, "qa:approve:999", user=MOD)  # a real shape, no such question
    assert "no question" in bot.last_reply().lower()
    assert await question_state(bot, 1) is QuestionState.PENDING
    # a forged modal: private_metadata is just as untrusted
    await bot.click(card, "qa:reject:1", user=MOD)
    view = bot.last_view(MOD)
    view.body["private_metadata"] = "1; drop table"
    await bot.submit(
        view,
        {"reason": {"reason": {"type": "static_select", "selected_option": {"value": "nonsense"}}}},
        user=MOD,
    )
    assert await question_state(bot, 1) is QuestionState.PENDING


async def test_a_retried_event_has_one_effect(bot: Harness) -> None:
    factory = bot.factory()
    event = {"type": "app_home_opened", "user": MOD, "channel": "D0MOD", "tab": "home"}
    first = factory.event(event, event_id="Ev0HOME0001")
    retry = factory.event(event, event_id="Ev0HOME0001", retry_num=1, retry_reason="http_timeout")
    await bot.send(first)
    await bot.fake.wait_for_call("views.publish")
    await bot.send(retry)
    await bot.send(factory.event(event, event_id="Ev0HOME0002"))  # a new event: published again
    await bot.fake.wait_for_call("views.publish", count=2)
    await bot.settle()
    assert len(bot.fake.calls_to("views.publish")) == 2


async def test_double_clicks_and_retried_submissions_have_one_effect(bot: Harness) -> None:
    await setup_ama(bot)
    await bot.slash("ask", user="U0001")
    modal = bot.last_view("U0001")
    values = {"question": {"question": "Will this be asked twice if I double submit?"}}
    await bot.submit(modal, values, user="U0001")
    await bot.submit(modal, values, user="U0001")
    assert len(bot.messages(MODS)) == 1
    card = card_for(bot, 1)
    await bot.click(card, "qa:approve:1", user=MOD, settle=False)
    await bot.click(card, "qa:approve:1", user=MOD)
    public = public_for(bot, 1)
    assert [
        r.body.get("text") for r in bot.fake.responses if r.user_id == MOD
    ] == []  # no error shown
    await bot.click(public, action_ids(public)[0], user="U0009", settle=False)
    await bot.click(public, action_ids(public)[0], user="U0009")
    assert "(1)" in json.dumps(public_for(bot, 1).blocks)


async def test_an_expired_trigger_is_explained_not_swallowed(bot: Harness) -> None:
    await setup_ama(bot)
    request = bot.factory().slash_command("/ama", "ask", user_id="U0001", channel_id=AMA)
    bot.clock.advance(10)  # Slack's trigger ids last three seconds
    await bot.send(request)
    assert "expired_trigger_id" in bot.last_reply()
