"""Both ways to run the adapter: ``qa-bot run discord`` and ``load_extension``."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import sys
from pathlib import Path

import discord
import pytest
from click.testing import CliRunner
from discord.ext import commands
from discord_support import World, followup_text, reply
from qa_core_discord.runner import DiscordRunner, check, token_from
from qa_core_discord.testing import FakeDiscord

from qa_core import ConfigError, load_config
from qa_core.cli import main as cli_main
from qa_core.runners import load_runner


def test_the_runner_is_found_by_its_entry_point() -> None:
    assert isinstance(load_runner("discord"), DiscordRunner)


def test_config_check_names_every_mistake_by_key(tmp_path: Path) -> None:
    path = tmp_path / "qa.toml"
    path.write_text(
        '[discord]\ncolour = "red"\nguild_ids = [1, "two"]\nedit_interval = -1\n'
        'sync_commands = "yes"\napi_base = "ftp://x"\n',
        encoding="utf-8",
    )
    with pytest.raises(ConfigError) as caught:
        load_config(path, env={})
    assert caught.value.problems == [
        "discord.colour: unknown key",
        "discord.guild_ids: expected a list of server ids (numbers)",
        "discord.edit_interval: must not be negative",
        "discord.sync_commands: expected bool",
        "discord.api_base: expected an http(s) URL ending in /api/v10",
    ]


def test_a_good_section_passes() -> None:
    assert check({"guild_ids": [1], "edit_interval": 0.5, "sync_commands": False}) == []
    assert check({"edit_interval": True}) == ["edit_interval: expected int or float"]
    assert check({"schedule_interval": 5}) == []
    assert check({"schedule_interval": 0}) == ["schedule_interval: must be more than 0 seconds"]


def test_the_token_comes_from_the_environment_first() -> None:
    assert token_from({"token": "file"}, env={"DISCORD_TOKEN": " env "}) == "env"
    assert token_from({"token": "file"}, env={}) == "file"
    with pytest.raises(ConfigError, match="DISCORD_TOKEN"):
        token_from({}, env={})


async def test_standalone_runner_can_be_pointed_at_a_local_discord(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    async with FakeDiscord(patch=False, token="secret-token-123") as fake:
        world = World(fake)
        path = tmp_path / "qa.toml"
        path.write_text(
            f'[database]\nurl = "sqlite:///{tmp_path / "qa.db"}"\n'
            f"[plugins]\nload_entrypoints = false\n"
            f'[discord]\napi_base = "{fake.api_url}"\ngateway = "{fake.gateway_url}"\n'
            f"guild_ids = [{world.guild.id}]\nguild_ready_timeout = 0.05\n",
            encoding="utf-8",
        )
        config = load_config(path, env={})
        section = config.platform("discord")
        token = token_from(section, env={"DISCORD_TOKEN": "secret-token-123"})
        task = asyncio.create_task(DiscordRunner().main(config, section, token))
        try:
            await fake.wait_until_connected()
            synced = fake.state.commands.get(world.guild.id, [])
            assert [c["name"] for c in synced] == ["ama"], "/ama synced to the listed server"
            created = await reply(
                await fake.slash_command("ama create", {"title": "Standalone"}, member=world.host)
            )
            assert "Created session 1" in followup_text(created)
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
    assert "secret-token-123" not in caplog.text


async def test_an_existing_bot_loads_the_extension(
    fake: FakeDiscord, world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "qa.toml"
    path.write_text(
        f'[database]\nurl = "sqlite:///{tmp_path / "ext.db"}"\n'
        "[plugins]\nload_entrypoints = false\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("QA_CORE_CONFIG", str(path))

    class ExistingBot(commands.Bot):
        async def setup_hook(self) -> None:
            await self.load_extension("qa_core_discord")

    bot = ExistingBot(
        command_prefix="!", intents=discord.Intents.default(), guild_ready_timeout=0.05
    )
    async with fake.running(bot):
        assert bot.get_cog("AMA") is not None
        created = await reply(
            await fake.slash_command("ama create", {"title": "Added on"}, member=world.host)
        )
        assert "Created session 1" in followup_text(created)
        await bot.unload_extension("qa_core_discord")
        assert bot.get_cog("AMA") is None
    # The host bot's own default mentions were not relied upon.
    fake.assert_no_mass_mentions()


def test_qa_bot_run_discord_without_a_token_says_what_to_do(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DISCORD_TOKEN", raising=False)
    result = CliRunner().invoke(cli_main, ["--database", "memory:", "run", "discord"])
    assert result.exit_code == 1
    assert "DISCORD_TOKEN" in result.output


async def test_qa_bot_run_discord_as_a_process_against_the_fake(tmp_path: Path) -> None:
    qa_bot = Path(sys.executable).parent / "qa-bot"
    async with FakeDiscord(patch=False, token="process-token-456") as fake:
        world = World(fake)
        path = tmp_path / "qa.toml"
        path.write_text(
            f'[database]\nurl = "sqlite:///{tmp_path / "qa.db"}"\n'
            f'[discord]\napi_base = "{fake.api_url}"\ngateway = "{fake.gateway_url}"\n'
            "guild_ready_timeout = 0.05\nsync_commands = false\n",
            encoding="utf-8",
        )
        env = {**os.environ, "DISCORD_TOKEN": "process-token-456"}
        process = await asyncio.create_subprocess_exec(
            str(qa_bot),
            "--config",
            str(path),
            "run",
            "discord",
            env=env,
            stderr=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
        )
        try:
            await fake.wait_until_connected(timeout=20)
            created = await reply(
                await fake.slash_command(
                    "ama create", {"title": "From a process"}, member=world.host
                )
            )
            assert "Created session 1" in followup_text(created)
        finally:
            process.terminate()
            _, stderr = await asyncio.wait_for(process.communicate(), timeout=10)
    assert b"process-token-456" not in stderr
