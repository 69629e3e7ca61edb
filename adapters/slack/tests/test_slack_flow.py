"""The whole AMA, end to end, in HTTP mode and in Socket Mode, against the fake Slack."""

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
    anonymous_checked,
    card_for,
    public_for,
    setup_ama,
    texts,
)


async def test_the_whole_ama(bot: Harness) -> None:
    fake = bot.fake
    await setup_ama(bot)
    announcement, board = bot.messages(AMA)[:2]
    assert "Ask Gil anything" in announcement.text and board.text.startswith("Top questions")

    # ask: one anonymously through the modal, others by slash command
    await bot.slash("ask", user="U0001")
    modal = bot.last_view("U0001")
    assert modal.body["callback_id"] == "qa:ask"
    await bot.submit(
        modal,
        {
            "question": {"question": "What was your hardest negotiation ever?"},
            "anonymous": {"anonymous": anonymous_checked()},
        },
        user="U0001",
    )
    await bot.slash("ask How do treaties get negotiated in practice?", user="U0002")
    await bot.slash("ask How are treaties negotiated in practice, really?", user="U0003")
    await bot.slash("ask Buy cheap watches at my shop now please", user="U0004")
    assert len(bot.messages(MODS)) == 4  # pre-moderation: nothing public yet
    assert not [m for m in bot.messages(AMA) if m.text.startswith("Question #")]

    assert "possible duplicate of #2" in json.dumps(card_for(bot, 3).blocks)  # the core's flag

    # moderate: approve 1 and 2, reject 4 with a reason, merge 3 into 2
    await bot.click(card_for(bot, 1), action_ids(card_for(bot, 1))[0], user=MOD)
    await bot.click(card_for(bot, 2), action_ids(card_for(bot, 2))[0], user=MOD)
    reject = [a for a in action_ids(card_for(bot, 4)) if a.startswith("qa:reject:")][0]
    await bot.click(card_for(bot, 4), reject, user=MOD)
    await bot.submit(
        bot.last_view(MOD),
        {
            "reason": {"reason": {"type": "static_select", "selected_option": {"value": "spam"}}},
            "message": {"message": "No ads, please."},
        },
        user=MOD,
    )
    merge = [a for a in action_ids(card_for(bot, 3)) if a.startswith("qa:merge:")][0]
    await bot.click(card_for(bot, 3), merge, user=MOD)
    merge_view = bot.last_view(MOD)
    into = [
        o
        for o in merge_view.body["blocks"][1]["element"]["options"]
        if o["text"]["text"].startswith("#2 ")
    ][0]
    await bot.submit(
        merge_view,
        {"into": {"into": {"type": "static_select", "selected_option": {"value": into["value"]}}}},
        user=MOD,
    )

    q1, q2 = public_for(bot, 1), public_for(bot, 2)
    assert "Anonymous" in texts([q1]) and "person1" not in texts(bot.messages(AMA))
    assert "rejected" not in texts(bot.messages(AMA)) and "watches" not in texts(bot.messages(AMA))
    dm_to_4 = [
        c for c in fake.calls_to("chat.postMessage") if "No ads, please." in json.dumps(c.params)
    ]
    assert len(dm_to_4) == 1 and dm_to_4[0].params["channel"].startswith("D")

    # vote storm: 25 people on #2, one of them double-clicking, and 5 on #1
    updates_before = len(fake.calls_to("chat.update"))
    vote2 = action_ids(q2)[0]
    for n in range(5, 30):
        await bot.click(q2, vote2, user=f"U{n:04d}", settle=False)
    await bot.click(q2, vote2, user="U0005", settle=False)  # the double click
    for n in range(5, 10):
        await bot.click(q1, action_ids(q1)[0], user=f"U{n:04d}", settle=False)
    await bot.settle()
    q2 = public_for(bot, 2)
    assert "(25)" in json.dumps(q2.blocks), q2.blocks  # U0003's merged duplicate adds no vote
    assert "(5)" in json.dumps(public_for(bot, 1).blocks)
    # 31 clicks: coalesced into a couple of edits per message (the two questions, the board)
    storm_updates = fake.calls_to("chat.update")[updates_before:]
    assert len(storm_updates) <= 6, [c.params["ts"] for c in storm_updates]
    assert len({c.params["ts"] for c in storm_updates}) == 3

    # next → answer in the thread, askers told by DM
    await bot.slash("next", user=GUEST)
    assert "Now answering #2" in bot.messages(AMA)[-1].text
    await bot.slash("answer Slowly, and with a lot of coffee.", user=GUEST)
    thread = [m for m in bot.messages(AMA) if m.thread_ts == q2.ts]
    assert len(thread) == 1 and "a lot of coffee" in texts(thread)
    dms = [
        c for c in fake.calls_to("chat.postMessage") if "was answered" in str(c.params.get("text"))
    ]
    assert len(dms) == 2  # U0002 and U0003 (merged in)

    # close and export
    await bot.slash("close", user=HOST)
    await bot.slash("export", user=HOST)
    [upload] = [f for f in fake.files.values() if f.completed]
    assert upload.channel == AMA
    content = (upload.content or b"").decode()
    assert "How do treaties get negotiated" in content and "a lot of coffee" in content
    assert "watches" not in content

    fake.assert_no_unescaped_mentions()
    # Posting four cards at once trips the channel's burst limit: 429s are waited out, not lost.
    assert all(c.ok or c.status == 429 for c in fake.calls), [c for c in fake.calls if not c.ok]
