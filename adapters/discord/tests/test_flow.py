"""The whole AMA, end to end: the real discord.py bot against the local fake Discord.

create → ask (one anonymous, via the modal) → a vote storm → moderate (approve, reject with a
reason, merge) → next → answer → close → export, checking what each person sees.
"""

from __future__ import annotations

import asyncio
import time

from discord_support import (
    FAST_EDITS,
    World,
    announcement,
    ask_with_button,
    ask_with_command,
    board,
    click,
    custom_ids,
    edits_of,
    embed_text,
    find,
    followup_text,
    live_session,
    mod_card,
    public_message,
    reply,
    settle,
    visible,
)
from qa_core_discord.runner import AmaBot
from qa_core_discord.testing import FakeDiscord, Routes

Q1 = "What was the hardest negotiation of your whole career?"
Q2 = "How do you stay calm when peace talks are failing badly?"
Q3 = "What was the hardest negotiation of your career?"
Q4 = "Buy cheap followers at followers dot example, best prices!!!"


async def test_a_whole_ama(fake: FakeDiscord, world: World, bot: AmaBot) -> None:
    await live_session(world, bot, strategy="top")
    assert "Status: Live" in embed_text(announcement(world))

    # -- ask: one with the announcement's button, one anonymous with /ama ask
    asked = await ask_with_button(world, world.alice, Q1)
    assert "#1 is waiting for a moderator" in followup_text(asked)
    asked = await ask_with_command(world, world.bob, Q2, anonymous=True)
    assert "#2 is waiting for a moderator" in followup_text(asked)
    await settle(bot)
    card1, card2 = mod_card(world, 1), mod_card(world, 2)
    assert Q1 in embed_text(card1) and "from alice" in embed_text(card1)
    assert "from Anonymous" in embed_text(card2) and "bob" not in embed_text(card2)
    assert {"qa:approve:1", "qa:reject:1", "qa:edit:1", "qa:merge:1", "qa:pin:1"} <= set(
        custom_ids(card1)
    )
    assert visible(world, world.ama)[2:] == [], "nothing public before approval"

    # -- moderate: approve both
    approved = await click(world, card1, "qa:approve:1", world.mod)
    assert "Approved #1" in followup_text(approved)
    await click(world, card2, "qa:approve:2", world.mod)
    await settle(bot)
    assert "approved by mod" in embed_text(mod_card(world, 1))
    assert custom_ids(mod_card(world, 1)) == [], "a handled card loses its buttons"
    first, second = public_message(world, 1), public_message(world, 2)
    assert Q1 in embed_text(first) and "asked by alice" in embed_text(first)
    assert "asked by Anonymous" in embed_text(second) and "bob" not in str(second)

    # -- a duplicate (suggested to the moderators) merged, and spam rejected with a reason
    await ask_with_button(world, world.voters[0], Q3)
    await ask_with_button(world, world.voters[1], Q4)
    await settle(bot)
    card3 = mod_card(world, 3)
    assert "Looks like #1" in embed_text(card3)
    assert "qa:mergeinto:3:1" in custom_ids(card3)
    opened = await fake.click(card3, "qa:merge:3", member=world.mod)
    await opened
    merged = await reply(await fake.submit_modal(opened, {"number": "#1"}))
    assert "Merged #3 into #1" in followup_text(merged)

    opened = await fake.click(mod_card(world, 4), "qa:reject:4", member=world.mod)
    await opened
    rejected = await reply(
        await fake.submit_modal(opened, {"reason": "spam", "message": "No ads, please."})
    )
    assert "Rejected #4" in followup_text(rejected)
    await settle(bot)
    assert "merged by mod" in embed_text(mod_card(world, 3))
    assert "rejected by mod" in embed_text(mod_card(world, 4))
    assert "No ads, please." in embed_text(mod_card(world, 4))
    spammer_dm = fake.messages(fake.state.dm_channel(world.voters[1].user))
    assert "not accepted (spam)" in spammer_dm[-1]["content"]
    assert "No ads, please." in spammer_dm[-1]["content"]
    assert not [m for m in visible(world, world.ama) if Q4 in embed_text(m)]

    # -- a vote storm on #1 from many people at once
    crowd = [world.bob, *world.voters[2:]]
    started = time.monotonic()
    clicks = await asyncio.gather(
        *(fake.click(public_message(world, 1), "qa:vote:1", member=m) for m in crowd)
    )
    answers = await asyncio.gather(*(reply(c) for c in clicks))
    await settle(bot)
    storm = time.monotonic() - started
    assert all("Upvoted" in followup_text(a) for a in answers), "every click is answered"
    # voter0's merged duplicate counts for #1 too; the merge does not add a vote of its own.
    assert f"{len(crowd)} votes" in embed_text(public_message(world, 1))
    assert f"Upvote ({len(crowd)})" in str(public_message(world, 1)["components"])
    edits = edits_of(world, public_message(world, 1))
    bound = 3 + storm / FAST_EDITS["edit_interval"]
    assert edits <= bound and edits < len(crowd), f"{edits} edits for {len(crowd)} votes"
    assert f"**#1** ({len(crowd)} votes)" in embed_text(board(world))

    # -- next: the guest gets the stage card, the audience a notice
    staged = await reply(await fake.slash_command("ama next", {}, member=world.guest))
    stage_card = staged.followups[0]
    assert "On stage: #1" in followup_text(staged)
    assert "qa:answer:1" in custom_ids(stage_card)
    await settle(bot)
    notice = find(world, world.ama, lambda m: "Now with the guest" in m["content"])
    assert notice["message_reference"]["message_id"] == public_message(world, 1)["id"]

    # -- answer through the stage card's Answer button (a modal)
    opened = await fake.click(stage_card, "qa:answer:1", member=world.guest)
    await opened
    answer = "Geneva, 1999: three weeks, no sleep. Thanks @everyone!"
    answered = await reply(await fake.submit_modal(opened, {"text": answer}))
    assert "Answer to #1 posted" in followup_text(answered)
    await settle(bot)
    posted = find(world, world.ama, lambda m: m["content"].startswith("**Answer to #1**"))
    assert "Geneva, 1999" in posted["content"]
    assert f"<@{world.alice.user.id}>" in posted["content"], "the asker is told"
    assert "@everyone" not in posted["content"].replace("@\u200beveryone", "")
    request = next(
        r
        for r in fake.requests("POST", Routes.CHANNEL_MESSAGES)
        if r.response and r.response.get("id") == posted["id"]
    )
    assert request.json["allowed_mentions"]["parse"] == []
    pinged = [str(user) for user in request.json["allowed_mentions"]["users"]]
    assert pinged == [str(world.alice.user.id)], "only the asker may be pinged"
    merged_asker = fake.messages(fake.state.dm_channel(world.voters[0].user))
    assert "Your question #1 was answered" in merged_asker[-1]["content"]
    assert "answered" in embed_text(public_message(world, 1))
    assert custom_ids(public_message(world, 1)) == []

    # -- close, then export the transcript as a file
    closed = await reply(await fake.slash_command("ama close", {"session": 1}, member=world.host))
    assert "now closed" in followup_text(closed)
    exported = await reply(await fake.slash_command("ama export", {"session": 1}, member=world.bob))
    attachment = exported.followups[0]["attachments"][0]
    assert attachment["filename"] == "ama-1.md"
    transcript = fake.state.attachments[int(attachment["id"])].decode()
    assert Q1 in transcript and "Geneva, 1999" in transcript
    assert Q4 not in transcript
    await settle(bot)
    assert "Status: Closed" in embed_text(announcement(world))

    fake.assert_no_mass_mentions()
    assert not fake.unmatched_requests()
    assert not [r for r in fake.requests() if r.status >= 400]
