"""Helpers shared by the Slack adapter tests: the harness over the fake Slack and the runner."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from cryptography.fernet import Fernet
from qa_core_slack.runner import SlackRuntime, build
from qa_core_slack.testing import (
    BoltHttpServer,
    FakeSlack,
    Message,
    SlackRequest,
    SlackRequestFactory,
    View,
)
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

from qa_core import load_config

SECRET = "test-signing-secret"
HOST, MOD, GUEST = "U0HOST", "U0MOD", "U0GUEST"
AMA, MODS = "C0AMA0001", "C0MODS001"
FERNET_KEY = Fernet.generate_key().decode()


class Clock:
    """Wall clock shared by the fake and the publisher; tests move it to honour Retry-After."""

    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def add_people(fake: FakeSlack, team_id: str, voters: int = 30) -> None:
    fake.add_user(HOST, team_id=team_id, name="hana", is_admin=True)
    fake.add_user(MOD, team_id=team_id, name="mo")
    fake.add_user(GUEST, team_id=team_id, name="gil")
    for n in range(1, voters + 1):
        fake.add_user(f"U{n:04d}", team_id=team_id, name=f"person{n}")


class Harness:
    """Deliver signed requests (HTTP or Socket Mode), then wait until the bot is quiet."""

    def __init__(self, fake: FakeSlack, runtime: SlackRuntime, clock: Clock, mode: str) -> None:
        self.fake, self.runtime, self.clock, self.mode = fake, runtime, clock, mode
        self.server: BoltHttpServer | None = None
        self.handler: AsyncSocketModeHandler | None = None
        self.statuses: list[int] = []

    def factory(self, team_id: str | None = None) -> SlackRequestFactory:
        return self.fake.request_factory(team_id=team_id)

    async def send(self, request: SlackRequest, *, settle: bool = True) -> Any:
        if self.mode == "socket":
            assert self.handler is not None
            result: Any = await self.fake.socket_mode.deliver(request)
        else:
            assert self.server is not None
            result = await self.server.post(request)
            self.statuses.append(result.status)
            assert result.status == 200, result.body
        if settle:
            await self.settle()
        return result

    async def settle(self) -> None:
        """Listeners done and every post/edit sent, moving the clock past any Retry-After."""
        for _ in range(30):
            await self.runtime.qa.settle()
            if self.runtime.publisher.idle:
                return
            self.clock.advance(1.5)
        raise AssertionError("the publisher never became idle")

    async def slash(
        self, text: str, *, user: str, channel: str = AMA, team_id: str | None = None
    ) -> Any:
        return await self.send(
            self.factory(team_id).slash_command("/ama", text, user_id=user, channel_id=channel)
        )

    async def click(
        self,
        message: Message,
        action_id: str,
        *,
        user: str,
        value: str | None = None,
        settle: bool = True,
    ) -> Any:
        value = action_id.rsplit(":", 1)[1] if value is None else value
        request = self.factory(message.team_id).block_actions(
            action_id, value, user_id=user, channel_id=message.channel, message=message.to_api()
        )
        return await self.send(request, settle=settle)

    def last_view(self, user: str, team_id: str | None = None) -> View:
        team = team_id or self.fake.team.id
        views = [v for v in self.fake.views.values() if v.user_id == user and v.team_id == team]
        assert views, f"no view opened for {user}"
        return views[-1]

    async def submit(self, view: View, values: dict[str, dict[str, Any]], *, user: str) -> Any:
        team = self.fake.api.teams[view.team_id]
        request = self.factory(view.team_id).view_submission(
            str(view.body.get("callback_id")), values, user_id=user, view=view.to_api(team)
        )
        return await self.send(request)

    def messages(self, channel: str = AMA, team_id: str | None = None) -> list[Message]:
        return self.fake.messages(channel, team_id=team_id)

    def replies(self, team_id: str | None = None) -> list[dict[str, Any]]:
        return [
            dict(r.body) for r in self.fake.responses if team_id is None or r.team_id == team_id
        ]

    def last_reply(self) -> str:
        return str(self.fake.responses[-1].body.get("text"))


def config_file(tmp_path: Path, database: str = "memory:") -> Path:
    path = tmp_path / "qa.toml"
    path.write_text(f'[database]\nurl = "{database}"\n')
    return path


def texts(messages: list[Message]) -> str:
    return json.dumps([[m.text, m.blocks] for m in messages])


def card_for(bot: Harness, number: int) -> Message:
    found = [m for m in bot.messages(MODS) if m.text.startswith(f"#{number} ")]
    assert found, f"no moderation card for #{number}: {[m.text for m in bot.messages(MODS)]}"
    return found[-1]


def public_for(bot: Harness, number: int) -> Message:
    found = [m for m in bot.messages(AMA) if m.text.startswith(f"Question #{number} ")]
    assert found, f"no public message for #{number}: {[m.text for m in bot.messages(AMA)]}"
    return found[-1]


def action_ids(message: Message) -> list[str]:
    return [e["action_id"] for b in message.blocks if b["type"] == "actions" for e in b["elements"]]


def anonymous_checked() -> dict[str, Any]:
    return {
        "type": "checkboxes",
        "selected_options": [{"value": "anonymous", "text": {"type": "plain_text", "text": "x"}}],
    }


async def setup_ama(bot: Harness) -> None:
    await bot.slash(f"settings mod-channel <#{MODS}|mods>", user=HOST)
    await bot.slash(f"settings moderators <@{MOD}|mo>", user=HOST)
    await bot.slash(
        f"create Ask Gil anything | Thirty years a diplomat | <@{GUEST}|gil>", user=HOST
    )


async def start_harness(
    fake: FakeSlack,
    clock: Clock,
    tmp_path: Path,
    mode: str,
    *,
    database: str = "memory:",
    **section: Any,
) -> Harness:
    config = load_config(config_file(tmp_path, database), env={})
    env = {
        "SLACK_BOT_TOKEN": fake.bot_token,
        "SLACK_APP_TOKEN": fake.app_token,
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_CLIENT_ID": fake.api.oauth.client_id,
        "SLACK_CLIENT_SECRET": fake.api.oauth.client_secret,
        "QA_SLACK_ENCRYPTION_KEY": FERNET_KEY,
    }
    runtime = await build(
        config, {"mode": mode, "base_url": fake.url, "update_interval": 2, **section}, env
    )
    runtime.publisher.clock = clock
    harness = Harness(fake, runtime, clock, mode)
    if mode == "socket":
        harness.handler = AsyncSocketModeHandler(runtime.app, env["SLACK_APP_TOKEN"])
        await harness.handler.connect_async()  # type: ignore[no-untyped-call]
        await fake.socket_mode.wait_connected()
    else:
        harness.server = await BoltHttpServer(runtime.app).start()
    return harness


async def stop_harness(harness: Harness) -> None:
    if harness.handler is not None:
        await harness.handler.close_async()  # type: ignore[no-untyped-call]
    if harness.server is not None:
        await harness.server.close()
    await harness.runtime.engine.stop()
