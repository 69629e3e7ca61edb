"""Bolt's own request verification, and multi-workspace OAuth installs kept apart."""

from __future__ import annotations

import json
from pathlib import Path

from qa_core_slack.testing import FakeSlack, Message
from slack_support import AMA, HOST, MOD, Clock, action_ids, start_harness, stop_harness

from qa_core import Actor, Role, UserRef


async def test_bad_and_stale_signatures_are_rejected_by_bolt(
    fake: FakeSlack, clock: Clock, tmp_path: Path
) -> None:
    bot = await start_harness(fake, clock, tmp_path, "http")
    try:
        factory = bot.factory()
        good = factory.slash_command("/ama", "create Signed AMA", user_id=HOST, channel_id=AMA)
        assert bot.server is not None
        bad = await bot.server.post(
            factory.slash_command("/ama", "create Forged", user_id=HOST).with_bad_signature()
        )
        stale = await bot.server.post(
            factory.stale(factory.slash_command("/ama", "create Stale", user_id=HOST))
        )
        assert (bad.status, stale.status) == (401, 401)
        # the same through App.async_dispatch, as Bolt's scenario tests do
        response = await bot.runtime.app.async_dispatch(
            good.with_bad_signature().to_async_bolt_request()
        )
        assert response.status == 401
        assert await bot.runtime.engine.views.sessions(_admin()) == []
        response = await bot.runtime.app.async_dispatch(good.to_async_bolt_request())
        assert response.status == 200
        await bot.settle()
        assert [s.title for s in await bot.runtime.engine.views.sessions(_admin())] == [
            "Signed AMA"
        ]
    finally:
        await stop_harness(bot)


def _admin(team: str = "T0001") -> Actor:
    return Actor(UserRef(f"slack:{team}", HOST), "hana", frozenset({Role.HOST}))


async def test_oauth_installs_keep_workspaces_apart(
    fake: FakeSlack, clock: Clock, tmp_path: Path
) -> None:
    bot = await start_harness(fake, clock, tmp_path, "http", oauth=True)
    try:
        assert bot.server is not None
        for team in ("T0001", "T0002"):
            installed = await bot.server.install(fake, team)
            assert installed.callback.status == 200, installed.callback.body
        # tokens at rest are encrypted
        store = bot.runtime.engine.store
        raw = await store.read(lambda tx: tx.get_value("slack:T0002", "bot"))
        assert raw and fake.api.teams["T0002"].bot_token not in raw and "xoxb" not in raw

        for team in ("T0001", "T0002"):
            await bot.slash(f"create AMA of {team}", user=HOST, team_id=team)
            await bot.slash(f"settings moderators <@{MOD}>", user=HOST, team_id=team)
            await bot.slash(
                f"ask What is special about workspace {team}?", user="U0001", team_id=team
            )
        # each workspace's messages were posted with its own token, into its own workspace
        assert {c.team_id for c in fake.calls_to("chat.postMessage")} == {"T0001", "T0002"}
        assert "T0002" not in json.dumps([m.text for m in fake.messages(AMA, team_id="T0001")])

        # T0002's moderator cannot act on T0001's question, even with its id
        sessions_1 = await bot.runtime.engine.views.sessions(_admin("T0001"))
        queue_1 = await bot.runtime.engine.views.moderation_queue(sessions_1[0].id, _admin("T0001"))
        foreign = queue_1[0].id
        request = bot.factory("T0002").block_actions(
            f"qa:approve:{foreign}", str(foreign), user_id=MOD, channel_id=AMA
        )
        await bot.send(request)
        assert "no question" in str(fake.responses[-1].body.get("text")).lower()
        assert (
            await bot.runtime.engine.views.question(foreign, _admin("T0001"))
        ).state.value == "pending"

        # and T0002's queue shows only T0002's questions
        await bot.slash("queue", user=HOST, team_id="T0002")
        shown = json.dumps(fake.responses[-1].body)
        assert "T0001" not in shown
        # a workspace that never installed the app is not served
        fake.add_team("T0003")
        unknown = bot.factory("T0003").slash_command("/ama", "create Intruder", user_id=HOST)
        await bot.server.post(unknown)
        await bot.settle()
        assert not [c for c in fake.calls if c.team_id == "T0003"]
        assert await bot.runtime.engine.views.sessions(_admin("T0003")) == []
    finally:
        await stop_harness(bot)


async def test_oauth_votes_flow_in_the_second_workspace(
    fake: FakeSlack, clock: Clock, tmp_path: Path
) -> None:
    bot = await start_harness(fake, clock, tmp_path, "http", oauth=True)
    try:
        assert bot.server is not None
        await bot.server.install(fake, "T0002")
        await bot.slash("settings moderation post", user=HOST, team_id="T0002")
        await bot.slash("create Post-moderated AMA", user=HOST, team_id="T0002")
        await bot.slash("ask Does post moderation publish at once?", user="U0001", team_id="T0002")
        public = [
            m for m in fake.messages(AMA, team_id="T0002") if m.text.startswith("Question #1 ")
        ]
        assert public
        await bot.click(public[0], action_ids(public[0])[0], user="U0002")
        assert "(1)" in json.dumps(public_for_team(fake, "T0002").blocks)
    finally:
        await stop_harness(bot)


def public_for_team(fake: FakeSlack, team: str) -> Message:
    return [m for m in fake.messages(AMA, team_id=team) if m.text.startswith("Question #1 ")][-1]
