"""App Home kept live: moderators' queues and the guest's stage, coalesced, 429s honoured."""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from typing import Any

from qa_core_slack.runner import runner
from qa_core_slack.state import HOME_WATCH_DAYS, HOME_WATCHERS_MAX, AdapterState
from slack_support import GUEST, HOST, MOD, Harness, action_ids, card_for, public_for, setup_ama

from qa_core import open_store

TENANT = "slack:T0001"


async def open_home(bot: Harness, user: str, event_id: str) -> None:
    before = len(bot.fake.calls_to("views.publish"))
    event = {"type": "app_home_opened", "user": user, "channel": "D0X", "tab": "home"}
    await bot.send(bot.factory().event(event, event_id=event_id))
    await bot.fake.wait_for_call("views.publish", count=before + 1)
    await bot.settle()


def home(bot: Harness, user: str) -> dict[str, Any]:
    view = bot.fake.home_view(user)
    assert view is not None, f"no App Home published for {user}"
    return view.body


def home_actions(bot: Harness, user: str) -> list[str]:
    return [
        e["action_id"]
        for b in home(bot, user)["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
    ]


def publishes_to(bot: Harness, user: str, since: int = 0) -> list[Any]:
    return [c for c in bot.fake.calls_to("views.publish")[since:] if c.params["user_id"] == user]


async def test_a_moderator_who_opened_home_sees_new_questions_without_opening_it_again(
    bot: Harness,
) -> None:
    await setup_ama(bot)
    await open_home(bot, MOD, "EvHome1")
    await open_home(bot, "U0009", "EvHome2")  # a participant: nothing to keep live
    assert "Nothing waiting" in json.dumps(home(bot, MOD))
    assert await AdapterState(bot.runtime.engine.store).home_watchers(TENANT) == [MOD]
    participant_publishes = len(publishes_to(bot, "U0009"))

    await bot.slash("ask Does the App Home update by itself?", user="U0001")
    assert "qa:approve:1" in home_actions(bot, MOD)
    assert "update by itself" in json.dumps(home(bot, MOD))

    # approved from the moderators' channel: it leaves the queue shown in App Home too
    await bot.click(card_for(bot, 1), action_ids(card_for(bot, 1))[0], user=MOD)
    assert "qa:approve:1" not in home_actions(bot, MOD)
    assert "Nothing waiting" in json.dumps(home(bot, MOD))
    assert len(publishes_to(bot, "U0009")) == participant_publishes

    # the stage changes: the guest's Home shows it, though the guest never opened it
    assert bot.fake.home_view(GUEST) is not None  # the approval changed their next-up list
    await bot.slash("next", user=GUEST)
    assert {"qa:skip:1", "qa:defer:1"} <= set(home_actions(bot, GUEST))
    await bot.slash("answer By itself, yes.", user=GUEST)
    assert "qa:skip:1" not in home_actions(bot, GUEST)


async def test_a_vote_storm_does_not_become_a_views_publish_storm(bot: Harness) -> None:
    await setup_ama(bot)
    await bot.slash("ask Who keeps count of all these votes?", user="U0001")
    await bot.click(card_for(bot, 1), action_ids(card_for(bot, 1))[0], user=MOD)
    await open_home(bot, MOD, "EvHome3")
    await open_home(bot, GUEST, "EvHome4")
    before = len(bot.fake.calls_to("views.publish"))

    question = public_for(bot, 1)
    for n in range(5, 30):  # 25 votes in no time, the publisher flushing after each
        await bot.click(question, action_ids(question)[0], user=f"U{n:04d}", settle=False)
        await bot.runtime.qa.settle()
    await bot.settle()

    storm = bot.fake.calls_to("views.publish")[before:]
    by_user: dict[str, list[float]] = defaultdict(list)
    for call in storm:
        by_user[call.params["user_id"]].append(call.at)
    # Votes do not change the moderators' queue; the guest's list is refreshed, coalesced:
    # at most once per update_interval (2 s), however many votes came in between.
    assert set(by_user) == {GUEST}, dict(by_user)
    assert 1 <= len(by_user[GUEST]) <= 2, by_user
    times = by_user[GUEST]
    assert all(b - a >= 2.0 for a, b in zip(times, times[1:], strict=False)), times
    assert "25 votes" in json.dumps(home(bot, GUEST))  # the last refresh has the last count
    assert all(c.ok for c in storm)


async def test_a_429_on_views_publish_is_waited_out_and_stops_only_app_home(
    bot: Harness,
) -> None:
    await setup_ama(bot)
    # opening Home gets a 429: the publisher publishes it once Retry-After has passed
    bot.fake.rate_limits.fail_next("views.publish", 1, retry_after=7)
    await open_home(bot, MOD, "EvHome5")
    assert [c.status for c in publishes_to(bot, MOD)] == [429, 200]
    assert publishes_to(bot, MOD)[1].at - publishes_to(bot, MOD)[0].at >= 7

    # a refresh gets a 429: nothing is published to Home before Retry-After, cards still go out
    bot.fake.rate_limits.fail_next("views.publish", 1, retry_after=7)
    before = len(bot.fake.calls_to("views.publish"))
    request = bot.factory().slash_command(
        "/ama", "ask Is a rate limit a kind of moderation?", user_id="U0001", channel_id="C0AMA0001"
    )
    await bot.send(request, settle=False)
    bot.clock.advance(2.0)  # past the interval since Home was last published
    await bot.runtime.qa.settle()
    assert card_for(bot, 1)  # the moderators' channel is not held up by App Home's 429
    assert [c.status for c in bot.fake.calls_to("views.publish")[before:]] == [429]
    bot.clock.advance(5)
    await bot.runtime.qa.settle()
    assert len(bot.fake.calls_to("views.publish")) == before + 1  # still inside Retry-After
    bot.clock.advance(2.5)
    await bot.runtime.qa.settle()
    assert [c.status for c in bot.fake.calls_to("views.publish")[before:]] == [429, 200]
    assert "qa:approve:1" in home_actions(bot, MOD)


async def test_watchers_expire_are_capped_and_are_forgotten_when_no_longer_moderators() -> None:
    store = open_store("memory:")
    state = AdapterState(store)
    t0 = datetime(2026, 11, 1, tzinfo=UTC)
    await state.watch_home(TENANT, "U0MOD", now=t0)
    await state.watch_home(TENANT, "U0TWO", now=t0 + timedelta(days=3))
    assert await state.home_watchers(TENANT, now=t0) == ["U0MOD", "U0TWO"]
    later = t0 + timedelta(days=HOME_WATCH_DAYS, hours=1)
    assert await state.home_watchers(TENANT, now=later) == ["U0TWO"]
    assert await state.home_watchers("slack:T0002", now=t0) == []  # per workspace
    for n in range(HOME_WATCHERS_MAX + 5):
        await state.watch_home(TENANT, f"U{n:04d}", now=t0 + timedelta(minutes=n))
    watchers = await state.home_watchers(TENANT, now=t0)
    # the cap keeps the latest visits: U0TWO (its visit expires last) and the newest 99
    assert len(watchers) == HOME_WATCHERS_MAX and watchers[-1] == "U0TWO"
    assert "U0MOD" not in watchers and "U0005" not in watchers and "U0006" in watchers
    await state.unwatch_home(TENANT, "U0TWO", now=t0)
    assert "U0TWO" not in await state.home_watchers(TENANT, now=t0)
    assert len(await state.home_watchers(TENANT, now=t0)) == HOME_WATCHERS_MAX - 1
    await store.close()


async def test_a_host_who_loses_nothing_stays_and_a_demoted_moderator_is_dropped(
    bot: Harness,
) -> None:
    await setup_ama(bot)
    await open_home(bot, MOD, "EvHome6")
    await open_home(bot, HOST, "EvHome7")
    state = AdapterState(bot.runtime.engine.store)
    assert set(await state.home_watchers(TENANT)) == {MOD, HOST}
    await bot.slash("settings moderators none", user=HOST)
    await bot.slash("ask Who still watches the queue?", user="U0001")
    # MOD's Home was refreshed once more (now without the queue), then MOD was forgotten
    assert "qa:approve:1" not in home_actions(bot, MOD)
    assert "qa:approve:1" in home_actions(bot, HOST)
    assert await state.home_watchers(TENANT) == [HOST]


def test_the_home_budget_is_a_checked_setting() -> None:
    assert runner.check({"home_updates_per_minute": 30}) == []
    assert runner.check({"home_updates_per_minute": "lots"}) == [
        "home_updates_per_minute: expected int or float"
    ]
