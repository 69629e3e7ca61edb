"""Discord adapter for qa-core: moderated AMA sessions in a Discord server.

Standalone: ``qa-bot run discord``. In an existing discord.py bot::

    await bot.load_extension("qa_core_discord")

which reads the qa-core configuration named by ``QA_CORE_CONFIG`` (its ``[discord]`` section
included). ``install(bot, config)`` does the same with a ``Config`` you built.
"""

from __future__ import annotations

from discord.ext import commands

from qa_core import load_config

from .cog import AmaCog
from .publisher import DiscordPublisher
from .runner import install

__all__ = ["AmaCog", "DiscordPublisher", "install", "setup", "teardown"]


async def setup(bot: commands.Bot) -> None:
    """discord.py extension entry point."""
    await install(bot, load_config())


async def teardown(bot: commands.Bot) -> None:
    """The cog's ``cog_unload`` stops the engine and the publisher."""
