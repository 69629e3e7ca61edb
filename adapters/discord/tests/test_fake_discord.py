"""Tests of the fake Discord itself, driven by the real discord.py client.

Each bot test starts a fresh fake and a ``commands.Bot`` on loopback (about 0.1 s each).
"""

from __future__ import annotations

import asyncio
import io
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import discord
import discord.gateway
import discord.http
import pytest
import pytest_asyncio
from discord import app_commands
from discord.ext import commands
from qa_core_discord.testing import FakeDiscord, FakeGuild, InteractionResponses, Routes
from qa_core_discord.testing.interactions import command_data
from qa_core_discord.testing.limits import (
    check_components,
    check_message,
    check_modal,
    invalid_form_body,
)

NO_PINGS = discord.AllowedMentions.none()
VOTE_ROW = {
    "type": 1,
    "components": [{"type": 2, "style": 1, "label": "Vote", "custom_id": "qa:vote:42"}],
}


class VoteButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"qa:vote:(?P<id>[0-9]+)"
):
    """A persistent button: routed by its custom_id alone, no stored view needed."""

    def __init__(self, question_id: int) -> None:
        super().__init__(discord.ui.Button(label="Vote", custom_id=f"qa:vote:{question_id}"))
        self.question_id = question_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: Any
    ) -> VoteButton:
        return cls(int(match["id"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        moderator = interaction.permissions.manage_messages
        text = f"vote {self.question_id} by {interaction.user.name} moderator={moderator}"
        await interaction.response.send_message(text, ephemeral=True)


class AskModal(discord.ui.Modal, title="Ask a question"):
    question: discord.ui.TextInput[AskModal] = discord.ui.TextInput(
        label="Question", custom_id="question", max_length=300, style=discord.TextStyle.paragraph
    )

    async def on_submit(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_message(f"Thanks: {self.question.value}", ephemeral=True)


class QABot(commands.Bot):
    """A small AMA-shaped bot: slash commands in a group, a modal, a persistent button."""

    def __init__(self) -> None:
        super().__init__(
            command_prefix="!",
            intents=discord.Intents.default(),
            guild_ready_timeout=0.05,
            allowed_mentions=NO_PINGS,
            help_command=None,
        )
        self.errors: asyncio.Queue[app_commands.AppCommandError] = asyncio.Queue()
        self.release = asyncio.Event()
        self.last_interaction: discord.Interaction | None = None
        self.tree.on_error = self._on_tree_error  # type: ignore[method-assign]
        self.tree.add_command(self._ama_group())

    async def setup_hook(self) -> None:
        self.add_dynamic_items(VoteButton)

    async def _on_tree_error(
        self, interaction: discord.Interaction, error: app_commands.AppCommandError
    ) -> None:
        if isinstance(error, app_commands.CheckFailure):
            await interaction.response.send_message("denied", ephemeral=True)
        await self.errors.put(error)

    def _ama_group(self) -> app_commands.Group:
        ama = app_commands.Group(name="ama", description="Ask me anything")
        mod = app_commands.Group(name="mod", description="Moderation", parent=ama)

        @ama.command(description="Ask a question")
        async def ask(interaction: discord.Interaction, question: str) -> None:
            self.last_interaction = interaction
            await interaction.response.send_message(f"Asked: {question}", ephemeral=True)

        @ama.command(description="Ask with a form")
        async def form(interaction: discord.Interaction) -> None:
            await interaction.response.send_modal(AskModal())

        @ama.command(description="Acknowledge only when the test says so")
        async def slow(interaction: discord.Interaction) -> None:
            await self.release.wait()
            await interaction.response.defer()

        @ama.command(description="Upload a transcript")
        async def transcript(interaction: discord.Interaction) -> None:
            await interaction.response.defer(thinking=True)
            upload = discord.File(
                io.BytesIO(b"Q1: why?\nA1: because.\n"), filename="transcript.txt"
            )
            await interaction.followup.send("Transcript", file=upload)

        @mod.command(description="Close a question")
        @app_commands.checks.has_permissions(manage_messages=True)
        async def close(interaction: discord.Interaction, question_id: int) -> None:
            await interaction.response.send_message(f"closed {question_id}", ephemeral=True)

        return ama


@pytest_asyncio.fixture
async def fake() -> AsyncIterator[FakeDiscord]:
    async with FakeDiscord() as server:
        yield server


@pytest_asyncio.fixture
async def bot(fake: FakeDiscord) -> AsyncIterator[QABot]:
    client = QABot()
    async with fake.running(client):
        yield client


def default_guild(fake: FakeDiscord) -> FakeGuild:
    assert fake.guild is not None
    return fake.guild


def text_channel(bot: QABot, fake: FakeDiscord, name: str = "ama") -> discord.TextChannel:
    channel = bot.get_channel(default_guild(fake).channel(name).id)
    assert isinstance(channel, discord.TextChannel)
    return channel


def reply_text(responses: InteractionResponses) -> str:
    assert responses.callback is not None and responses.callback.data is not None
    return str(responses.callback.data["content"])


async def next_error(bot: QABot) -> BaseException:
    """The underlying exception of the next app-command error (unwrapping CommandInvokeError)."""
    error = await asyncio.wait_for(bot.errors.get(), timeout=2.0)
    if isinstance(error, app_commands.CommandInvokeError):
        return error.original
    return error


# -- login and gateway ------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_bot_logs_in_and_receives_the_default_guild(fake: FakeDiscord, bot: QABot) -> None:
    assert bot.is_ready()
    assert bot.user is not None and bot.user.id == fake.state.bot_user.id
    guild = bot.get_guild(default_guild(fake).id)
    assert guild is not None
    assert {c.name for c in guild.text_channels} == {"general", "ama"}
    assert guild.default_role.name == "@everyone"
    assert guild.get_role(default_guild(fake).role("Moderator").id) is not None
    assert [(r.method, r.route) for r in fake.requests()][:2] == [
        ("GET", Routes.USERS_ME),
        ("GET", Routes.APPLICATION_ME),
    ]
    assert fake.identifies[0]["intents"] == discord.Intents.default().value


@pytest.mark.asyncio
async def test_patch_is_restored_after_the_fake_stops() -> None:
    original = (discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY)
    async with FakeDiscord() as fake:
        assert discord.http.Route.BASE == fake.api_url
        assert str(discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY) == fake.gateway_url
    assert (discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY) == original


@pytest.mark.asyncio
async def test_a_wrong_token_fails_login(fake: FakeDiscord) -> None:
    with pytest.raises(discord.LoginFailure):
        async with fake.running(QABot(), token="not-the-token"):
            pass
    assert fake.requests()[0].status == 401


# -- interactions -----------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_synced_subcommand_reaches_its_handler_and_the_answer_is_recorded(
    fake: FakeDiscord, bot: QABot
) -> None:
    synced = await bot.tree.sync()
    put = fake.requests("PUT", Routes.GLOBAL_COMMANDS)[0]
    assert [c["name"] for c in put.json] == ["ama"]

    handle = await fake.slash_command("ama ask", {"question": "Why <@everyone>?"})
    responses = await handle

    assert handle.payload["data"]["id"] == str(synced[0].id)
    assert responses.callback is not None and responses.callback.type == 4
    assert responses.original is not None
    assert responses.original["content"] == "Asked: Why <@everyone>?"
    assert responses.original["flags"] & 64
    fake.assert_no_mass_mentions()


@pytest.mark.asyncio
async def test_subcommand_group_sees_member_permissions(fake: FakeDiscord, bot: QABot) -> None:
    guild = default_guild(fake)
    closed = await (
        await fake.slash_command("ama mod close", {"question_id": 7}, member=guild.member("mod"))
    )
    refused = await (
        await fake.slash_command("ama mod close", {"question_id": 7}, member=guild.member("alice"))
    )

    assert reply_text(closed) == "closed 7"
    assert reply_text(refused) == "denied"
    assert isinstance(await next_error(bot), app_commands.MissingPermissions)


@pytest.mark.asyncio
async def test_slash_command_in_a_dm_comes_from_a_user(fake: FakeDiscord, bot: QABot) -> None:
    carol = fake.add_user("carol")
    handle = await fake.slash_command("ama ask", {"question": "dm?"}, user=carol)

    assert reply_text(await handle) == "Asked: dm?"
    assert "member" not in handle.payload and handle.payload["user"]["id"] == str(carol.id)
    assert bot.last_interaction is not None and bot.last_interaction.guild is None
    assert fake.channel(handle.payload["channel_id"]).recipient == carol


@pytest.mark.asyncio
async def test_persistent_dynamic_button_is_dispatched_from_a_click(
    fake: FakeDiscord, bot: QABot
) -> None:
    guild = default_guild(fake)
    board = fake.add_message(guild.channel("ama"), "Q42: why?", components=[VOTE_ROW])

    by_alice = await (await fake.click(board, "qa:vote:42", member=guild.member("alice")))
    by_mod = await (await fake.click(board, "qa:vote:42", member=guild.member("mod")))

    assert reply_text(by_alice) == "vote 42 by alice moderator=False"
    assert reply_text(by_mod) == "vote 42 by mod moderator=True"
    with pytest.raises(LookupError):
        await fake.click(board, "qa:vote:43")


@pytest.mark.asyncio
async def test_a_forged_click_carries_an_id_the_message_lacks(
    fake: FakeDiscord, bot: QABot
) -> None:
    guild = default_guild(fake)
    plain = fake.add_message(guild.channel("ama"), "no buttons here")

    forged = await (await fake.click(plain, "qa:vote:7", member=guild.member("bob"), forge=True))

    assert reply_text(forged) == "vote 7 by bob moderator=False"
    assert fake.message(plain["id"])["components"] == [], "the stored message is unchanged"


def test_user_channel_and_role_options_come_with_resolved_data() -> None:
    fake = FakeDiscord()
    guild = default_guild(fake)
    role = fake.add_role(guild, "Helpers")
    data = command_data(
        fake.state,
        ["ama", "settings"],
        {"who": guild.member("bob"), "where": guild.channel("ama"), "role": role},
        guild.id,
    )
    options = {o["name"]: o for o in data["options"][0]["options"]}
    assert (options["who"]["type"], options["where"]["type"], options["role"]["type"]) == (6, 7, 8)
    resolved = data["resolved"]
    bob = str(guild.member("bob").user.id)
    assert resolved["users"][bob]["username"] == "bob" and "user" not in resolved["members"][bob]
    assert resolved["channels"][str(guild.channel("ama").id)]["name"] == "ama"
    assert resolved["roles"][str(role.id)]["name"] == "Helpers"


@pytest.mark.asyncio
async def test_replies_store_their_reference_with_string_ids(fake: FakeDiscord, bot: QABot) -> None:
    channel = text_channel(bot, fake)
    original = await channel.send("question", allowed_mentions=NO_PINGS)
    answer = await channel.send("answer", reference=original, allowed_mentions=NO_PINGS)

    reference = fake.message(answer.id)["message_reference"]
    assert reference["message_id"] == str(original.id)
    assert reference["channel_id"] == str(channel.id)


@pytest.mark.asyncio
async def test_modal_submit_reaches_on_submit(fake: FakeDiscord, bot: QABot) -> None:
    opened = await fake.slash_command("ama form")
    modal = (await opened).callback
    assert modal is not None and modal.type == 9 and modal.data is not None
    assert modal.data["title"] == "Ask a question"

    with pytest.raises(ValueError):
        await fake.submit_modal(opened, {"question": "x" * 301})
    submitted = await (await fake.submit_modal(opened, {"question": "What is next?"}))

    assert reply_text(submitted) == "Thanks: What is next?"


@pytest.mark.asyncio
async def test_second_acknowledgement_gets_40060(fake: FakeDiscord, bot: QABot) -> None:
    handle = await fake.slash_command("ama ask", {"question": "once"})
    await handle
    await fake.redeliver(handle)  # e.g. a replayed INTERACTION_CREATE: the bot answers again

    rejected = await handle.wait_rejected()
    error = await next_error(bot)
    assert rejected[0].status == 400 and rejected[0].error_code == 40060
    assert isinstance(error, discord.HTTPException) and error.code == 40060


@pytest.mark.asyncio
async def test_acknowledgement_after_three_seconds_gets_10062(
    fake: FakeDiscord, bot: QABot
) -> None:
    handle = await fake.slash_command("ama slow")
    fake.advance(3.5)
    bot.release.set()

    rejected = await handle.wait_rejected()
    error = await next_error(bot)
    assert rejected[0].status == 404 and rejected[0].error_code == 10062
    assert isinstance(error, discord.NotFound) and error.code == 10062
    assert handle.callback is None


@pytest.mark.asyncio
async def test_followups_stop_when_the_token_expires(fake: FakeDiscord, bot: QABot) -> None:
    await (await fake.slash_command("ama ask", {"question": "q"}))
    assert bot.last_interaction is not None
    fake.advance(15 * 60 + 1)

    with pytest.raises(discord.HTTPException) as raised:
        await bot.last_interaction.followup.send("too late", allowed_mentions=NO_PINGS)
    assert raised.value.status == 401 and raised.value.code == 50027


@pytest.mark.asyncio
async def test_deferred_followup_with_a_file_fills_the_thinking_message(
    fake: FakeDiscord, bot: QABot
) -> None:
    handle = await fake.slash_command("ama transcript")
    deferred = await handle
    assert deferred.callback is not None and deferred.callback.type == 5

    done = await handle.wait_followups(1)
    upload = fake.requests("POST", Routes.WEBHOOK)[0]
    assert upload.files[0].filename == "transcript.txt"
    assert upload.files[0].data == b"Q1: why?\nA1: because.\n"
    assert done.original is not None and done.followups[0]["id"] == done.original["id"]
    assert done.original["content"] == "Transcript" and not done.original["flags"] & 128
    assert done.original["attachments"][0]["size"] == len(upload.files[0].data)


# -- channel messages, limits, uploads --------------------------------------------------------


@pytest.mark.asyncio
async def test_content_over_2000_characters_is_rejected_with_50035(
    fake: FakeDiscord, bot: QABot
) -> None:
    channel = text_channel(bot, fake)
    await channel.send("x" * 2000)
    with pytest.raises(discord.HTTPException) as raised:
        await channel.send("x" * 2001)

    assert raised.value.status == 400 and raised.value.code == 50035
    assert "content" in str(raised.value)
    assert [m["content"] for m in fake.messages(channel.id)] == ["x" * 2000]


@pytest.mark.asyncio
async def test_embed_title_over_256_is_rejected_at_its_path(fake: FakeDiscord, bot: QABot) -> None:
    with pytest.raises(discord.HTTPException) as raised:
        await text_channel(bot, fake).send(embed=discord.Embed(title="t" * 257))
    errors = fake.requests("POST", Routes.CHANNEL_MESSAGES)[-1].response["errors"]
    assert raised.value.code == 50035
    assert errors["embeds"]["0"]["title"]["_errors"][0]["code"] == "BASE_TYPE_MAX_LENGTH"


@pytest.mark.asyncio
async def test_multipart_upload_is_recorded_and_served(fake: FakeDiscord, bot: QABot) -> None:
    upload = discord.File(io.BytesIO(b"line 1\nline 2\n"), filename="log.txt")
    message = await text_channel(bot, fake).send("log", file=upload)

    recorded = fake.requests("POST", Routes.CHANNEL_MESSAGES)[-1]
    assert recorded.json["content"] == "log"
    assert [(f.field, f.filename, f.data) for f in recorded.files] == [
        ("files[0]", "log.txt", b"line 1\nline 2\n")
    ]
    assert await message.attachments[0].read() == b"line 1\nline 2\n"


@pytest.mark.asyncio
async def test_threads_and_direct_messages(fake: FakeDiscord, bot: QABot) -> None:
    question = await text_channel(bot, fake).send("Q1")
    thread = await question.create_thread(name="Q1 discussion")
    await thread.send("answer")
    alice = default_guild(fake).member("alice").user
    user = await bot.fetch_user(alice.id)  # members are not cached without the members intent
    await user.send("your question was answered")
    fake.refuse_dms(alice)

    with pytest.raises(discord.Forbidden) as raised:
        await user.send("again")
    assert thread.id == question.id
    assert [m["content"] for m in fake.messages(thread.id)] == ["answer"]
    dm = fake.requests("POST", Routes.DM_CHANNELS)[-1].response
    assert [m["content"] for m in fake.messages(int(dm["id"]))] == ["your question was answered"]
    assert raised.value.code == 50007


@pytest.mark.asyncio
async def test_mention_guard_flags_messages_that_could_ping(fake: FakeDiscord, bot: QABot) -> None:
    channel = text_channel(bot, fake)
    await channel.send("hello <@&1>", allowed_mentions=NO_PINGS)
    fake.assert_no_mass_mentions()

    await channel.send("@everyone look", allowed_mentions=discord.AllowedMentions(everyone=True))
    violations = fake.mention_violations()
    assert [v.reason for v in violations] == ["allowed_mentions.parse=['everyone']"]
    with pytest.raises(AssertionError):
        fake.assert_no_mass_mentions()


@pytest.mark.asyncio
async def test_unknown_routes_answer_404_and_are_recorded(fake: FakeDiscord, bot: QABot) -> None:
    with pytest.raises(discord.NotFound):
        await bot.fetch_guild(1234)
    assert [r.path for r in fake.unmatched_requests()] == ["/api/v10/guilds/1234"]


# -- rate limits ------------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_scripted_429_burst_is_retried_by_discordpy(fake: FakeDiscord, bot: QABot) -> None:
    message = await text_channel(bot, fake).send("v1")
    fake.rate_limit_next("PATCH", Routes.CHANNEL_MESSAGE, count=2, retry_after=0.05)

    edited = await message.edit(content="v2")

    statuses = [r.status for r in fake.requests("PATCH", Routes.CHANNEL_MESSAGE)]
    assert statuses == [429, 429, 200]
    assert edited.content == "v2" and fake.message(message.id)["content"] == "v2"


@pytest.mark.asyncio
async def test_bucket_headers_make_discordpy_wait_instead_of_hitting_429(
    fake: FakeDiscord, bot: QABot
) -> None:
    fake.add_rate_limit("PATCH", Routes.CHANNEL_MESSAGE, limit=2, per=0.3)
    message = await text_channel(bot, fake).send("v0")
    for version in range(1, 4):
        await message.edit(content=f"v{version}")

    patches = fake.requests("PATCH", Routes.CHANNEL_MESSAGE)
    assert [r.status for r in patches] == [200, 200, 200]
    assert fake.message(message.id)["content"] == "v3"


@pytest.mark.asyncio
async def test_exceeded_bucket_answers_discord_shaped_429(fake: FakeDiscord, bot: QABot) -> None:
    fake.add_rate_limit("PATCH", Routes.CHANNEL_MESSAGE, limit=2, per=5.0, bucket="edits")
    message = await text_channel(bot, fake).send("v0")
    url = f"{fake.api_url}/channels/{message.channel.id}/messages/{message.id}"
    headers = {"Authorization": f"Bot {fake.token}"}

    async with aiohttp.ClientSession(headers=headers) as session:
        answers = []
        for version in range(3):
            async with session.patch(url, json={"content": f"raw {version}"}) as response:
                answers.append((response.status, dict(response.headers), await response.json()))

    assert [a[0] for a in answers] == [200, 200, 429]
    assert [a[1]["X-RateLimit-Remaining"] for a in answers] == ["1", "0", "0"]
    status, limited, body = answers[2]
    assert body["global"] is False and 0 < body["retry_after"] <= 5.0
    assert limited["Content-Type"] == "application/json" and limited["Via"]
    assert limited["X-RateLimit-Bucket"] == "edits" and limited["X-RateLimit-Scope"] == "user"
    assert {
        "Retry-After",
        "X-RateLimit-Limit",
        "X-RateLimit-Reset",
        "X-RateLimit-Reset-After",
    } <= set(limited)


# -- payload limits (pure) --------------------------------------------------------------------


def _button(custom_id: str) -> dict[str, Any]:
    return {"type": 2, "style": 1, "label": "b", "custom_id": custom_id}


@pytest.mark.parametrize(
    ("body", "path"),
    [
        ({"embeds": [{}] * 11}, ("embeds",)),
        ({"embeds": [{"description": "d" * 4097}]}, ("embeds", 0, "description")),
        ({"embeds": [{"fields": [{"name": "n", "value": "v"}] * 26}]}, ("embeds", 0, "fields")),
        (
            {"embeds": [{"fields": [{"name": "n" * 257, "value": "v"}]}]},
            ("embeds", 0, "fields", 0, "name"),
        ),
        (
            {"embeds": [{"fields": [{"name": "n", "value": "v" * 1025}]}]},
            ("embeds", 0, "fields", 0, "value"),
        ),
        ({"embeds": [{"footer": {"text": "f" * 2049}}]}, ("embeds", 0, "footer", "text")),
        ({"embeds": [{"author": {"name": "a" * 257}}]}, ("embeds", 0, "author", "name")),
        ({"embeds": [{"description": "d" * 4000}, {"description": "d" * 2001}]}, ("embeds",)),
        (
            {"components": [{"type": 1, "components": [_button(f"b{i}") for i in range(6)]}]},
            ("components", 0, "components"),
        ),
        (
            {"components": [{"type": 1, "components": [_button("x" * 101)]}]},
            ("components", 0, "components", 0, "custom_id"),
        ),
        (
            {"components": [{"type": 1, "components": [_button("")]}]},
            ("components", 0, "components", 0, "custom_id"),
        ),
        (
            {"components": [{"type": 1, "components": [_button(f"r{i}")]} for i in range(6)]},
            ("components",),
        ),
        (
            {"components": [{"type": 1, "components": [_button("same"), _button("same")]}]},
            ("components", 0, "components", 1, "custom_id"),
        ),
    ],
)
def test_message_limits(body: dict[str, Any], path: tuple[Any, ...]) -> None:
    assert path in [v.path for v in check_message(body)]


def test_message_at_every_limit_passes() -> None:
    body = {
        "content": "c" * 2000,
        "embeds": [
            {
                "title": "t" * 256,
                "description": "d" * 1744,
                "fields": [{"name": "n", "value": "v"}] * 25,
            }
        ],
        "components": [
            {"type": 1, "components": [_button(f"{r}-{i}" + "x" * 90) for i in range(5)]}
            for r in range(5)
        ],
        "allowed_mentions": {"parse": []},
    }
    assert check_message(body) == []


@pytest.mark.parametrize(
    ("text_input", "key"),
    [
        ({"label": "l" * 46}, "label"),
        ({"max_length": 4001}, "max_length"),
        ({"value": "v" * 4001}, "value"),
    ],
)
def test_modal_text_input_limits(text_input: dict[str, Any], key: str) -> None:
    field = {"type": 4, "custom_id": "q", "style": 1, "label": "Question", **text_input}
    modal = {"custom_id": "m", "title": "Ask", "components": [{"type": 1, "components": [field]}]}
    assert [v.path for v in check_modal(modal)] == [("components", 0, "components", 0, key)]


def test_form_errors_nest_like_discord() -> None:
    violations = check_components(
        [{"type": 1, "components": [_button("x" * 101)]}], v2=False, path=("data", "components")
    )
    body = invalid_form_body(violations)
    assert body["code"] == 50035
    entry = body["errors"]["data"]["components"]["0"]["components"]["0"]["custom_id"]["_errors"][0]
    assert entry["code"] == "BASE_TYPE_BAD_LENGTH"
