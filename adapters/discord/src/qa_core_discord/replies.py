"""Answering Discord interactions: acknowledge, follow up, refuse, and key a click.

Free of the engine: what every handler in the cog does around the engine's answer.
"""

from __future__ import annotations

import logging
from typing import Any

import discord

from . import render
from . import translate as t
from .components import to_view

log = logging.getLogger(__name__)

ALREADY_ACKNOWLEDGED = 40060
UNKNOWN_INTERACTION = 10062
Reply = str | render.Payload


async def acknowledge(interaction: discord.Interaction[Any]) -> bool:
    """Defer (ephemeral, "thinking"); False when this delivery must not be answered."""
    try:
        await interaction.response.defer(ephemeral=True, thinking=True)
    except discord.InteractionResponded:
        return False
    except discord.HTTPException as error:
        if error.code in (ALREADY_ACKNOWLEDGED, UNKNOWN_INTERACTION):
            # A redelivery of an interaction already answered, or one that expired:
            # the first delivery did (or will do) the work; nothing more to say.
            log.info("interaction %s not acknowledged: %s", interaction.id, error)
            return False
        raise
    return True


async def send(
    interaction: discord.Interaction[Any],
    reply: Reply,
    file: discord.File | None = None,
) -> None:
    payload = reply if isinstance(reply, render.Payload) else render.Payload(content=reply)
    kwargs: dict[str, Any] = {
        "ephemeral": True,
        "allowed_mentions": payload.allowed_mentions,
    }
    if payload.content:
        kwargs["content"] = payload.content
    if payload.embed is not None:
        kwargs["embed"] = payload.embed
    if payload.buttons:
        kwargs["view"] = to_view(payload.buttons)
    if file is not None:
        kwargs["file"] = file
    if not any(k in kwargs for k in ("content", "embed", "file")):
        kwargs["content"] = "Done."
    try:
        await interaction.followup.send(**kwargs)
    except discord.HTTPException as error:
        log.warning("follow-up to interaction %s failed: %s", interaction.id, error)


async def refuse_now(interaction: discord.Interaction[Any], message: str) -> None:
    """Answer at once (no store involved), e.g. a malformed custom id."""
    try:
        await interaction.response.send_message(
            render.error_reply(message),
            ephemeral=True,
            allowed_mentions=discord.AllowedMentions.none(),
        )
    except discord.HTTPException as error:
        log.info("refusal for interaction %s not sent: %s", interaction.id, error)


def click_key(interaction: discord.Interaction[Any], custom_id: str) -> str:
    """A button's key: the clicker, the button and the message version (translate.click_key)."""
    message = interaction.message
    seen = None
    if message is not None:
        edited = message.edited_at
        shown = [
            message.content,
            [embed.to_dict() for embed in message.embeds],
            [component.to_dict() for component in message.components],
        ]
        seen = t.SeenMessage(message.id, edited.isoformat() if edited else None, shown)
    return t.click_key(interaction.user.id, custom_id, seen, interaction.id)
