"""``/ama settings ama-channel``: the AMA lives in one channel, wherever /ama create is typed."""

from __future__ import annotations

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
    texts,
)

OTHER = "C0OTHER01"


async def test_the_ama_channel_gets_everything_whatever_channel_create_ran_in(
    bot: Harness,
) -> None:
    await bot.slash(f"settings mod-channel <#{MODS}|mods>", user=HOST)
    await bot.slash(f"settings moderators <@{MOD}|mo>", user=HOST)
    await bot.slash(f"settings ama-channel <#{AMA}|ama>", user=HOST)
    assert f"ama_channel: {AMA}" in bot.last_reply()

    # created from the moderators' channel: announced and run in the AMA channel
    await bot.slash(f"create Ask Gil anything | intro | <@{GUEST}|gil>", user=HOST, channel=MODS)
    assert "set up in the AMA channel" in bot.last_reply()
    announcement, board = bot.messages(AMA)[:2]
    assert "Ask Gil anything" in announcement.text and board.text.startswith("Top questions")
    assert bot.messages(MODS) == []

    await bot.slash("ask Which treaty took the longest to sign?", user="U0001")  # in #ama
    await bot.click(card_for(bot, 1), action_ids(card_for(bot, 1))[0], user=MOD)
    question = public_for(bot, 1)  # the public question, in the AMA channel
    assert question.channel == AMA

    # stage commands typed in the moderators' channel reach the AMA channel's session
    await bot.slash("next", user=GUEST, channel=MODS)
    assert "Now answering #1" in bot.messages(AMA)[-1].text
    await bot.slash("answer The one about fishing rights.", user=GUEST, channel=MODS)
    thread = [m for m in bot.messages(AMA) if m.thread_ts == question.ts]
    assert len(thread) == 1 and "fishing rights" in texts(thread)
    await bot.slash("close", user=HOST, channel=MODS)
    await bot.slash("export", user=HOST, channel=MODS)
    [upload] = [f for f in bot.fake.files.values() if f.completed]
    assert upload.channel == AMA
    # the moderators' channel only ever got the moderation card
    assert [m.text.split(" ")[0] for m in bot.messages(MODS)] == ["#1"]
    bot.fake.assert_no_unescaped_mentions()


async def test_without_the_setting_an_ama_lives_where_it_was_created(bot: Harness) -> None:
    await bot.slash(f"settings ama-channel <#{AMA}|ama>", user=HOST)
    await bot.slash("settings ama-channel none", user=HOST)
    assert "ama_channel" not in bot.last_reply().split("\n\n")[0]
    await bot.slash("create Ask Gil anything | intro", user=HOST, channel=OTHER)
    assert "set up in this channel" in bot.last_reply()
    assert bot.messages(OTHER)[0].text.startswith("AMA") and bot.messages(AMA) == []
    await bot.slash("pause", user=HOST, channel=AMA)  # no AMA there, and no AMA channel
    assert "no AMA in this channel" in bot.last_reply()

    # set later, it does not move an AMA already running; that channel's own AMA wins there
    await bot.slash(f"settings ama-channel <#{AMA}|ama>", user=HOST)
    await bot.slash("create Second AMA | intro", user=HOST, channel=OTHER)
    assert bot.messages(AMA)[0].text.startswith("AMA") and "Second AMA" in bot.messages(AMA)[0].text
    assert not [m for m in bot.messages(OTHER) if "Second AMA" in m.text]
