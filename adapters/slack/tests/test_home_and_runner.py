"""App Home per role, moderator groups, the runner's configuration check and entry point."""

from __future__ import annotations

import json
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

import pytest
from qa_core_slack.runner import SlackRunner, build, runner
from qa_core_slack.testing import FakeSlack
from slack_support import AMA, GUEST, HOST, MOD, Clock, Harness, config_file, setup_ama

from qa_core import Actor, InvalidInput, QuestionState, Role, UserRef, load_config


async def open_home(bot: Harness, user: str, event_id: str) -> dict[str, Any]:
    before = len(bot.fake.calls_to("views.publish"))
    event = {"type": "app_home_opened", "user": user, "channel": "D0X", "tab": "home"}
    await bot.send(bot.factory().event(event, event_id=event_id))
    await bot.fake.wait_for_call("views.publish", count=before + 1)
    await bot.settle()
    view = bot.fake.home_view(user)
    assert view is not None
    return view.body


def action_ids(view: dict[str, Any]) -> list[str]:
    return [e["action_id"] for b in view["blocks"] if b["type"] == "actions" for e in b["elements"]]


async def test_app_home_shows_each_role_what_it_needs(bot: Harness) -> None:
    await setup_ama(bot)
    await bot.slash("ask What do moderators see in App Home?", user="U0001")
    await bot.slash("ask And what does the guest see there?", user="U0002")

    mod_home = await open_home(bot, MOD, "Ev0001")
    assert "To moderate" in json.dumps(mod_home)
    assert {"qa:approve:1", "qa:approve:2"} <= set(action_ids(mod_home))

    # approve from App Home: the home is refreshed for the moderator
    home_view = bot.fake.home_view(MOD)
    assert home_view is not None
    team = bot.fake.api.teams["T0001"]
    request = bot.factory().block_actions(
        "qa:approve:1", "1", user_id=MOD, view=home_view.to_api(team)
    )
    await bot.send(request)
    refreshed = bot.fake.home_view(MOD)
    assert refreshed is not None and "qa:approve:1" not in action_ids(refreshed.body)

    guest_home = await open_home(bot, GUEST, "Ev0002")
    assert "Next up" in json.dumps(guest_home) and "qa:next:1" in action_ids(guest_home)
    assert "qa:approve:2" not in action_ids(guest_home)
    assert "What do moderators see" in json.dumps(guest_home)

    person_home = await open_home(bot, "U0009", "Ev0003")
    assert action_ids(person_home) == [] and "What do moderators see" in json.dumps(person_home)
    assert "guest see there" not in json.dumps(person_home)  # still pending: not public

    # the guest's Next button works from App Home
    guest_view = bot.fake.home_view(GUEST)
    assert guest_view is not None
    await bot.send(
        bot.factory().block_actions("qa:next:1", "1", user_id=GUEST, view=guest_view.to_api(team))
    )
    assert "Now answering #1" in bot.messages(AMA)[-1].text
    on_stage = bot.fake.home_view(GUEST)
    assert on_stage is not None and "qa:defer:1" in action_ids(on_stage.body)
    await bot.send(
        bot.factory().block_actions("qa:defer:1", "1", user_id=GUEST, view=on_stage.to_api(team))
    )
    admin = Actor(UserRef("slack:T0001", HOST), "hana", frozenset({Role.HOST}))
    assert (await bot.runtime.engine.views.question(1, admin)).state is QuestionState.DEFERRED
    # a participant pressing Skip (a forged Home view click) changes nothing
    await bot.send(
        bot.factory().block_actions("qa:skip:1", "1", user_id="U0009", view=on_stage.to_api(team))
    )
    assert (await bot.runtime.engine.views.question(1, admin)).state is QuestionState.DEFERRED


async def test_a_moderator_user_group_grants_moderation(bot: Harness) -> None:
    bot.fake.add_usergroup("S0MODS", ["U0020"])
    await setup_ama(bot)
    await bot.slash("settings moderator-group <!subteam^S0MODS|@mods>", user=HOST)
    await bot.slash("ask Can a user group member moderate this?", user="U0001")
    await bot.slash("queue", user="U0021")  # not in the group
    assert "waiting for moderators" not in json.dumps(bot.fake.responses[-1].body)
    await bot.slash("queue", user="U0020")
    assert "1 waiting for moderators" in json.dumps(bot.fake.responses[-1].body)
    request = bot.factory().block_actions(
        "qa:approve:1", "1", user_id="U0020", channel_id="C0MODS001"
    )
    await bot.send(request)
    admin = Actor(UserRef("slack:T0001", HOST), "hana", frozenset({Role.HOST}))
    sid_questions = await bot.runtime.engine.views.public_queue(1, admin)
    assert [q.state for q in sid_questions] == [QuestionState.APPROVED]
    # a participant asking to change settings is refused by the engine
    await bot.slash("settings moderation post", user="U0001")
    assert "only hosts" in bot.last_reply().lower()


def test_runner_checks_its_section() -> None:
    assert runner.check({}) == []
    assert (
        runner.check(
            {"mode": "http", "oauth": True, "port": 8080, "base_url": "http://127.0.0.1:1/api/"}
        )
        == []
    )
    problems = runner.check(
        {
            "mode": "pigeon",
            "colour": 1,
            "port": "80",
            "oauth": True,
            "base_url": "ftp://x",
            "command": "ama",
        }
    )
    text = "\n".join(problems)
    for key in (
        "mode:",
        "colour: unknown key",
        "port: expected int",
        "oauth:",
        "base_url:",
        "command:",
    ):
        assert key in text, text


def test_the_runner_is_found_by_entry_point() -> None:
    found = {ep.name: ep for ep in entry_points(group="qa_core.runners")}
    assert isinstance(found["slack"].load(), SlackRunner)


async def test_missing_secrets_are_named(tmp_path: Path, fake: FakeSlack, clock: Clock) -> None:
    config = load_config(config_file(tmp_path), env={})
    with pytest.raises(InvalidInput, match="SLACK_APP_TOKEN"):
        await build(config, {"base_url": fake.url}, {"SLACK_BOT_TOKEN": "xoxb-1"})
    with pytest.raises(InvalidInput, match="QA_SLACK_ENCRYPTION_KEY"):
        await build(
            config,
            {"mode": "http", "oauth": True},
            {"SLACK_SIGNING_SECRET": "s", "SLACK_CLIENT_ID": "i", "SLACK_CLIENT_SECRET": "c"},
        )
