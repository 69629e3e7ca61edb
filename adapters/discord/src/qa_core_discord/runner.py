"""Running the adapter: ``qa-bot run discord`` (standalone) and ``install`` (any bot).

The ``[discord]`` section of the qa-core configuration::

    [discord]
    # token = "..."            # better: the DISCORD_TOKEN environment variable
    guild_ids = [123456789]    # sync /ama to these servers at once (global sync otherwise)
    sync_commands = true
    edit_interval = 1.0        # seconds between two edits of one message (vote storms)
    edit_debounce = 0.25       # wait this long before the first edit, to gather clicks
    schedule_interval = 30.0   # how often to open scheduled sessions whose start has come
    # api_base = "http://127.0.0.1:8080/api/v10"   # a local fake Discord (tests, demos)
    # gateway = "ws://127.0.0.1:8080/"
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from collections.abc import Iterator, Mapping
from typing import Any

import discord
import discord.gateway
import discord.http
import yarl
from discord.ext import commands

from qa_core import Config, ConfigError
from qa_core.app import build_engine

from .cog import AmaCog
from .publisher import DiscordPublisher

log = logging.getLogger(__name__)

TOKEN_ENV = "DISCORD_TOKEN"
KEYS: Mapping[str, tuple[type, ...]] = {
    "token": (str,),
    "guild_ids": (list,),
    "sync_commands": (bool,),
    "edit_interval": (int, float),
    "edit_debounce": (int, float),
    "guild_ready_timeout": (int, float),
    "schedule_interval": (int, float),
    "api_base": (str,),
    "gateway": (str,),
}


def check(section: Mapping[str, Any]) -> list[str]:
    """Problems in the ``[discord]`` section, each "key: what is wrong"."""
    problems = []
    value: Any
    for key, value in section.items():
        if key not in KEYS:
            problems.append(f"{key}: unknown key")
            continue
        types = KEYS[key]
        if not _has_type(value, types):
            problems.append(f"{key}: expected {' or '.join(t.__name__ for t in types)}")
            continue
        if key == "guild_ids" and not all(
            isinstance(g, int) and not isinstance(g, bool) and g > 0 for g in value
        ):
            problems.append("guild_ids: expected a list of server ids (numbers)")
        if key in ("edit_interval", "edit_debounce", "guild_ready_timeout") and value < 0:
            problems.append(f"{key}: must not be negative")
        if key == "schedule_interval" and value <= 0:
            problems.append(f"{key}: must be more than 0 seconds")
        if key == "api_base" and not value.startswith(("http://", "https://")):
            problems.append("api_base: expected an http(s) URL ending in /api/v10")
        if key == "gateway" and not value.startswith(("ws://", "wss://")):
            problems.append("gateway: expected a ws(s) URL")
    return problems


def _has_type(value: Any, types: tuple[type, ...]) -> bool:
    if isinstance(value, bool):  # TOML true is not a number
        return bool in types
    return isinstance(value, types)


def token_from(section: Mapping[str, Any], env: Mapping[str, str] = os.environ) -> str:
    token = env.get(TOKEN_ENV) or section.get("token")
    if not isinstance(token, str) or not token.strip():
        raise ConfigError("discord", [f"token: set {TOKEN_ENV} (or [discord] token)"])
    return token.strip()


@contextlib.contextmanager
def endpoints(section: Mapping[str, Any]) -> Iterator[None]:
    """Point discord.py at ``api_base``/``gateway`` (a local fake) for the duration."""
    route, websocket = discord.http.Route, discord.gateway.DiscordWebSocket
    saved = (route.BASE, websocket.DEFAULT_GATEWAY)
    if "api_base" in section:
        route.BASE = str(section["api_base"]).rstrip("/")
    if "gateway" in section:
        websocket.DEFAULT_GATEWAY = yarl.URL(str(section["gateway"]))
    try:
        yield
    finally:
        route.BASE, websocket.DEFAULT_GATEWAY = saved


async def install(
    bot: commands.Bot, config: Config, section: Mapping[str, Any] | None = None
) -> AmaCog:
    """Add the AMA cog to ``bot``: an engine from ``config`` with the Discord publisher."""
    section = config.platform("discord") if section is None else section
    publisher = DiscordPublisher(
        bot,
        edit_interval=float(section.get("edit_interval", 1.0)),
        debounce=float(section.get("edit_debounce", 0.25)),
    )
    engine = build_engine(config, plugins=[publisher])
    cog = AmaCog(
        bot,
        engine,
        publisher,
        schedule_interval=float(section.get("schedule_interval", 30.0)),
    )
    await bot.add_cog(cog)
    return cog


class AmaBot(commands.Bot):
    """The standalone bot: nothing but the AMA cog."""

    def __init__(self, config: Config, section: Mapping[str, Any]) -> None:
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=discord.Intents.default(),
            allowed_mentions=discord.AllowedMentions.none(),
            help_command=None,
            guild_ready_timeout=float(section.get("guild_ready_timeout", 2.0)),
        )
        self.qa_config = config
        self.qa_section = section

    async def setup_hook(self) -> None:
        await install(self, self.qa_config, self.qa_section)
        if self.qa_section.get("sync_commands", True):
            guild_ids = self.qa_section.get("guild_ids") or []
            for guild_id in guild_ids:
                guild = discord.Object(id=guild_id)
                self.tree.copy_global_to(guild=guild)
                await self.tree.sync(guild=guild)
            if not guild_ids:
                await self.tree.sync()


class DiscordRunner:
    """The ``qa_core.runners`` entry point."""

    def check(self, section: Mapping[str, Any]) -> list[str]:
        return check(section)

    def run(self, config: Config, section: Mapping[str, Any]) -> None:
        token = token_from(section)
        discord.utils.setup_logging(level=logging.INFO)  # discord.py never logs the token
        with contextlib.suppress(KeyboardInterrupt):
            asyncio.run(self.main(config, section, token))

    async def main(self, config: Config, section: Mapping[str, Any], token: str) -> None:
        with endpoints(section):
            async with AmaBot(config, section) as bot:
                log.info("starting the Discord AMA bot")  # never the token
                await bot.start(token)


runner = DiscordRunner()
