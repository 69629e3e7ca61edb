"""`qa-bot run slack` opens Slack's scheduled AMAs at their start time, and only those."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

from qa_core_slack.runner import build, scheduler_for
from qa_core_slack.testing import FakeSlack

from qa_core import Actor, Config, CreateSession, Role, SessionState, UserRef, load_config


async def test_the_runner_opens_due_slack_sessions(fake: FakeSlack, tmp_path: Path) -> None:
    config_file = tmp_path / "qa.toml"
    config_file.write_text(
        f'[database]\nurl = "sqlite:///{tmp_path / "qa.db"}"\n\n'
        f'[slack]\nmode = "socket"\nbase_url = "{fake.url}"\nschedule_interval = 0.05\n'
    )
    config: Config = load_config(config_file)
    env = {"SLACK_BOT_TOKEN": fake.bot_token, "SLACK_APP_TOKEN": fake.app_token}
    runtime = await build(config, config.platform("slack"), env)
    engine = runtime.engine
    ids = {}
    for tenant in ("slack:T0001", "discord:1"):
        host = Actor(UserRef(tenant, "U0HOST"), "Host", frozenset({Role.HOST}))
        created = await engine.execute(
            CreateSession(
                tenant=tenant,
                title="Later",
                scheduled_start=engine.clock() + timedelta(seconds=0.3),
            ),
            host,
        )
        assert created.session is not None
        ids[tenant] = created.session.id
    try:
        await asyncio.sleep(0.4)
        assert await scheduler_for(runtime).tick() == [ids["slack:T0001"]]
        other = await engine.store.read(lambda tx: tx.session(ids["discord:1"]))
        assert other is not None and other.state is SessionState.SCHEDULED  # not Slack's
    finally:
        await engine.stop()
