"""Persistent buttons and the modals: thin discord.py shells around ``translate``.

Buttons are ``DynamicItem``s whose custom ids carry only ids (``qa:vote:42``), so they keep
working after a restart with no stored view. Their callback hands the interaction to the cog,
which parses the id (untrusted) in ``translate``. Modal submits are handled from the raw
interaction data by the cog's listener, so a modal opened before a restart still works.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import discord

from qa_core import RejectReason

from . import translate as t
from .render import Button

if TYPE_CHECKING:
    from .cog import AmaCog

COG_NAME = "AMA"
STYLES = {
    "primary": discord.ButtonStyle.primary,
    "secondary": discord.ButtonStyle.secondary,
    "success": discord.ButtonStyle.success,
    "danger": discord.ButtonStyle.danger,
}
MAX_INPUT = 4000  # Discord's longest text input


class QaButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"qa:[^\n]{1,97}"):
    """Every ``qa:`` button; the custom id is parsed and checked by the cog, not here."""

    def __init__(
        self, custom_id: str, label: str = "…", style: str = "secondary", disabled: bool = False
    ) -> None:
        super().__init__(
            discord.ui.Button(
                custom_id=custom_id, label=label, style=STYLES[style], disabled=disabled
            )
        )

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str]
    ) -> QaButton:
        label = getattr(item, "label", None) or "…"
        return cls(match.group(0), label)

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        cog: AmaCog | None = interaction.client.get_cog(COG_NAME)
        if cog is None:  # unloaded between the click and now
            await interaction.response.send_message(
                "The AMA bot is restarting; try again in a moment.",
                ephemeral=True,
                allowed_mentions=discord.AllowedMentions.none(),
            )
            return
        await cog.on_button(interaction, self.item.custom_id or "")


def to_view(buttons: Sequence[Button]) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    for button in buttons:
        view.add_item(QaButton(button.custom_id, button.label, button.style, button.disabled))
    return view


class _FormModal(discord.ui.Modal):
    """A modal whose submit the cog handles from the raw data (see the module docstring)."""

    async def on_submit(self, interaction: discord.Interaction[Any]) -> None:
        return None


def _modal(title: str, custom_id: str, *inputs: discord.ui.TextInput[Any]) -> discord.ui.Modal:
    modal = _FormModal(title=title[:45], custom_id=custom_id, timeout=15 * 60)
    for text_input in inputs:
        modal.add_item(text_input)
    return modal


def ask_modal(
    session_id: int, *, anonymous: bool = False, current_guild: int | None = None
) -> discord.ui.Modal:
    """The question form; ``current_guild`` instead of a session: the live one, at submit."""
    custom_id = (
        t.modal_id("asknow", current_guild)
        if current_guild is not None
        else t.modal_id("ask", session_id)
    )
    return _modal(
        "Ask a question",
        custom_id,
        discord.ui.TextInput(
            label="Your question",
            custom_id=t.QUESTION_FIELD,
            style=discord.TextStyle.paragraph,
            max_length=MAX_INPUT,
        ),
        discord.ui.TextInput(
            label="Ask anonymously? (yes / no)",
            custom_id=t.ANONYMOUS_FIELD,
            required=False,
            max_length=10,
            default="yes" if anonymous else "no",
        ),
    )


def reject_modal(question_id: int) -> discord.ui.Modal:
    reasons = ", ".join(r.value for r in RejectReason)
    return _modal(
        "Reject a question",
        t.modal_id("reject", question_id),
        discord.ui.TextInput(
            label="Reason",
            custom_id=t.REASON_FIELD,
            placeholder=reasons[:100],
            required=False,
            max_length=20,
        ),
        discord.ui.TextInput(
            label="Message to the asker (optional)",
            custom_id=t.MESSAGE_FIELD,
            style=discord.TextStyle.paragraph,
            required=False,
            max_length=1000,
        ),
    )


def edit_modal(question_id: int, current: str | None = None) -> discord.ui.Modal:
    """The rewording form, prefilled with the question's ``current`` text when known."""
    return _modal(
        "Edit a question",
        t.modal_id("edit", question_id),
        discord.ui.TextInput(
            label="New wording",
            custom_id=t.TEXT_FIELD,
            style=discord.TextStyle.paragraph,
            max_length=MAX_INPUT,
            default=current[:MAX_INPUT] if current else None,
        ),
    )


def merge_modal(question_id: int) -> discord.ui.Modal:
    return _modal(
        "Merge into another question",
        t.modal_id("merge", question_id),
        discord.ui.TextInput(
            label="Number of the question to keep (e.g. 12)",
            custom_id=t.NUMBER_FIELD,
            max_length=10,
        ),
    )


def answer_modal(question_id: int) -> discord.ui.Modal:
    return _modal(
        "Answer",
        t.modal_id("answer", question_id),
        discord.ui.TextInput(
            label="Your answer",
            custom_id=t.TEXT_FIELD,
            style=discord.TextStyle.paragraph,
            max_length=MAX_INPUT,
        ),
    )


def modal_for(component: t.ComponentId, current: str | None = None) -> discord.ui.Modal:
    """The form a button opens; ``current``: the question's text, for the Edit form."""
    if component.verb == "ask":
        return ask_modal(component.id)
    if component.verb == "edit":
        return edit_modal(component.id, current)
    builders: dict[str, Callable[[int], discord.ui.Modal]] = {
        "reject": reject_modal,
        "merge": merge_modal,
        "answer": answer_modal,
    }
    return builders[component.verb](component.id)
