"""Watch the Discord adapter run an AMA, with no Discord account.

    python -m qa_core_discord.testing.demo [--database PATH]

A local ``FakeDiscord`` (REST and gateway on 127.0.0.1) stands in for Discord. The real bot
runs on it exactly as ``qa-bot run discord`` runs it: a configuration file is written and
loaded, and ``DiscordRunner.main`` starts with ``api_base``/``gateway`` pointing at the fake
(the store is SQLite in a temporary directory unless ``--database`` names a file). Simulated
members then click and type through a short AMA, and everything the bot posts, edits, sends
by DM and answers privately is printed as it happens.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, TextIO

from qa_core import load_config

from ..runner import DiscordRunner, token_from
from .fake_discord import FakeDiscord
from .records import InteractionHandle, Routes
from .state import DM, MODAL, FakeChannel, FakeMember

MANAGE_GUILD = 1 << 5
QUIET = 0.3  # seconds without a request to the fake: the bot has done what it was asked
LINE = 104  # printed lines are cut here, with "…"
JSON = dict[str, Any]

ALICE_Q = "What was the hardest negotiation of your whole career, and why?"
DAVE_Q = "What was the hardest negotiation in your career?"
BOB_Q = "Is it true you once told @everyone at the UN to go home early?"
CAROL_Q = "Have you ever been afraid during peace talks, and what did you do?"
SPAM_Q = "Buy cheap followers at followers dot example, best prices!!!"
ANSWER = (
    "Often. In Ohrid in 2001 I was afraid every single night. I wrote down the worst that "
    "could happen, read it to my team, and we went back in the next morning anyway."
)


class Demo:
    """The fake server, its members, and a narrator that prints what the bot does."""

    def __init__(self, fake: FakeDiscord, out: TextIO) -> None:
        assert fake.guild is not None
        self.fake, self.out = fake, out
        guild = self.guild = fake.guild
        hosts = fake.add_role(guild, "Hosts", permissions=MANAGE_GUILD)
        self.host = fake.add_member(guild, "hana", roles=(hosts,))
        self.guest = fake.add_member(guild, "gil")
        self.mods = fake.add_text_channel(guild, "ama-mods")
        self.ama = guild.channel("ama")
        self.general = guild.channel("general")
        self.alice, self.bob, self.mod = (guild.member(n) for n in ("alice", "bob", "mod"))
        self.carol, self.dave, self.eve = (
            fake.add_member(guild, n) for n in ("carol", "dave", "eve")
        )
        self.fans = [fake.add_member(guild, f"fan{i:02}") for i in range(1, 13)]
        self._seen = 0  # requests already narrated
        self._labels: dict[str, int] = {}  # message id → its short number in the log

    # -- narration ------------------------------------------------------------------------

    def print(self, text: str = "") -> None:
        print(text, file=self.out, flush=True)

    def step(self, title: str) -> None:
        self.print()
        self.print(f"── {title} " + "─" * max(0, LINE - len(title) - 4))

    def says(self, member: FakeMember, action: str) -> None:
        self.print(f"{name(member)} › {action}")

    async def settle(self, timeout: float = 5.0) -> None:
        """Wait until the bot has been quiet for a moment, then narrate what it did."""
        deadline = time.monotonic() + timeout
        count, since = len(self.fake.rest.records), time.monotonic()
        while time.monotonic() < deadline:
            await asyncio.sleep(0.05)
            now = len(self.fake.rest.records)
            if now != count:
                count, since = now, time.monotonic()
            elif time.monotonic() - since >= QUIET:
                break
        self.narrate()

    def narrate(self) -> None:
        records = self.fake.rest.records
        for record in records[self._seen :]:
            if record.status >= 400:
                self.print(f"   ! {record.method} {record.path}: {record.status}")
                continue
            if record.route == Routes.CHANNEL_MESSAGES and record.method == "POST":
                label = self._label(str(record.response.get("id")))
                where = self.where(int(record.params["channel_id"]))
                reply = record.json.get("message_reference") if record.json else None
                how = (
                    f" (a reply to message {self._label(str(reply['message_id']))})"
                    if reply
                    else ""
                )
                self.print(f"   {where}  bot posted message {label}{how}:")
                self.body(record.json or {}, indent="      ")
            elif record.route == Routes.CHANNEL_MESSAGE and record.method == "PATCH":
                label = self._label(record.params["message_id"])
                where = self.where(int(record.params["channel_id"]))
                self.print(f"   {where}  bot edited message {label}: {summary(record.json or {})}")
            elif record.route == Routes.MESSAGE_THREADS:
                self.print(f"   bot opened a thread: {(record.json or {}).get('name')}")
        self._seen = len(records)

    def where(self, channel_id: int) -> str:
        channel: FakeChannel = self.fake.channel(channel_id)
        if channel.type == DM and channel.recipient is not None:
            return f"DM to {channel.recipient.username}"
        return f"#{channel.name}"

    def _label(self, message_id: str) -> int:
        return self._labels.setdefault(message_id, len(self._labels) + 1)

    def body(self, message: Mapping[str, Any], *, indent: str) -> None:
        for line in describe(message):
            self.print(clip(indent + line))

    def private(self, member: FakeMember, message: Mapping[str, Any]) -> None:
        self.print(f"   ↳ only {name(member)} sees:")
        self.body(message, indent="      ")

    # -- what members do ------------------------------------------------------------------

    async def answered(self, member: FakeMember, handle: InteractionHandle) -> JSON:
        """The bot's private answer to ``member`` (a deferred reply's follow-up), printed."""
        responses = await handle
        callback = responses.callback
        if callback is not None and callback.type == 4:  # answered at once
            message = dict(callback.data or {})
        else:
            message = (await handle.wait_followups(1, timeout=5)).followups[0]
        self.private(member, message)
        return message

    async def command(
        self,
        member: FakeMember,
        command: str,
        options: Mapping[str, Any] | None = None,
        *,
        channel: FakeChannel | None = None,
    ) -> JSON:
        shown = " ".join(f"{k}:{_option(v)}" for k, v in (options or {}).items())
        self.says(member, f"/{command} {shown}".rstrip())
        handle = await self.fake.slash_command(command, options, member=member, channel=channel)
        return await self.answered(member, handle)

    def _on(self, message: JSON) -> str:
        if message["flags"] & 64:
            return "their private card"
        return f"message {self._label(message['id'])}"

    async def click(self, member: FakeMember, message: JSON, custom_id: str, label: str) -> JSON:
        self.says(member, f"clicks [{label}] on {self._on(message)}")
        handle = await self.fake.click(message, custom_id, member=member)
        return await self.answered(member, handle)

    async def form(
        self,
        member: FakeMember,
        opened: InteractionHandle,
        values: Mapping[str, str],
    ) -> JSON:
        callback = (await opened).callback
        assert callback is not None and callback.type == MODAL, "a form opens"
        title = (callback.data or {}).get("title")
        shown = ", ".join(f"{k}={v!r}" for k, v in values.items())
        self.print(f"   ↳ a form opens for {name(member)}: “{title}”; they submit {shown}")
        return await self.answered(member, await self.fake.submit_modal(opened, values))

    async def ask(self, member: FakeMember, text: str, *, anonymous: bool = False) -> JSON:
        how = " (and will answer yes to “anonymously?”)" if anonymous else ""
        self.says(member, f"clicks [Ask a question] on the announcement{how}")
        opened = await self.fake.click(self.announcement(), "qa:ask:1", member=member)
        return await self.form(
            member, opened, {"question": text, "anonymous": "yes" if anonymous else "no"}
        )

    async def with_form(
        self,
        member: FakeMember,
        message: JSON,
        custom_id: str,
        label: str,
        values: Mapping[str, str],
    ) -> JSON:
        self.says(member, f"clicks [{label}] on {self._on(message)}")
        handle = await self.fake.click(message, custom_id, member=member)
        return await self.form(member, handle, values)

    # -- finding the bot's messages -------------------------------------------------------

    def find(self, channel: FakeChannel, match: Callable[[str], bool]) -> JSON:
        for message in reversed(self.fake.messages(channel)):
            if not message["flags"] & 64 and match(_title(message)):
                return message
        raise LookupError(f"no such message in #{channel.name}")

    def announcement(self) -> JSON:
        return self.find(self.ama, lambda title: title.startswith("AMA:"))

    def card(self, number: int) -> JSON:
        return self.find(self.mods, lambda title: title.startswith(f"Pending #{number} ·"))

    def public(self, number: int) -> JSON:
        return self.find(self.ama, lambda title: title.startswith(f"#{number} ·"))


# -- the AMA ----------------------------------------------------------------------------


async def the_ama(demo: Demo) -> None:
    fake = demo.fake
    demo.step("1. A host points the bot at its channels, then announces the AMA")
    await demo.command(
        demo.host,
        "ama settings",
        {"ama_channel": demo.ama, "mod_channel": demo.mods, "strategy": "top"},
    )
    await demo.command(
        demo.host,
        "ama create",
        {
            "title": "AMA with Gil",
            "intro": "Gil was a diplomat for thirty years. Ask him anything!",
            "guests": f"<@{demo.guest.user.id}>",
        },
        channel=demo.general,
    )
    await demo.settle()
    await demo.command(demo.host, "ama open")
    await demo.settle()

    demo.step("2. Members ask: one anonymously, one with @everyone in it, one spam, one duplicate")
    await demo.ask(demo.alice, ALICE_Q)
    await demo.ask(demo.bob, BOB_Q)
    await demo.ask(demo.carol, CAROL_Q, anonymous=True)
    await demo.ask(demo.eve, SPAM_Q)
    await demo.ask(demo.dave, DAVE_Q)
    await demo.settle()

    demo.step("3. A moderator approves three, rejects the spam and merges the duplicate")
    for number in (1, 2, 3):
        await demo.click(demo.mod, demo.card(number), f"qa:approve:{number}", "Approve")
    await demo.with_form(
        demo.mod,
        demo.card(4),
        "qa:reject:4",
        "Reject…",
        {"reason": "spam", "message": "No advertising here, please."},
    )
    await demo.with_form(demo.mod, demo.card(5), "qa:merge:5", "Merge…", {"number": "1"})
    await demo.settle()

    demo.step(f"4. A vote burst: {len(demo.fans)} members upvote #3 at once, 3 upvote #1")
    clicks = [(fan, demo.public(3), "qa:vote:3") for fan in demo.fans]
    clicks += [(m, demo.public(1), "qa:vote:1") for m in (demo.bob, demo.carol, demo.eve)]
    handles = await asyncio.gather(*(fake.click(msg, cid, member=m) for m, msg, cid in clicks))
    replies = await asyncio.gather(*(h.wait_followups(1, timeout=5) for h in handles))
    texts = sorted({r.followups[0]["content"].split(" (")[0] for r in replies})
    demo.print(f"   ↳ each of the {len(replies)} voters privately sees: {', '.join(texts)}")
    await demo.settle()

    demo.step("5. The guest takes the next question and answers it")
    card = await demo.command(demo.guest, "ama next")
    await demo.settle()
    question_id = next(
        c["custom_id"].split(":")[2]
        for row in card.get("components") or []
        for c in row["components"]
        if c["custom_id"].startswith("qa:answer:")
    )
    await demo.with_form(demo.guest, card, f"qa:answer:{question_id}", "Answer…", {"text": ANSWER})
    await demo.settle()

    demo.step("6. The host closes the AMA; a member exports the transcript")
    await demo.command(demo.host, "ama close")
    await demo.settle()
    exported = await demo.command(demo.bob, "ama export")
    for attachment in exported.get("attachments") or []:
        data = fake.state.attachments[int(attachment["id"])].decode("utf-8")
        demo.print(f"   {attachment['filename']}, first lines:")
        for line in data.splitlines()[:12]:
            demo.print(clip(f"      | {line}"))


def check_mentions(demo: Demo) -> int:
    """Print whether any message the bot wrote could have pinged anyone; the problem count."""
    written = [r for r in demo.fake.rest.records if r.message_body is not None]
    problems = [str(v.reason) for v in demo.fake.mention_violations()]
    for record in written:
        allowed = (record.message_body or {}).get("allowed_mentions") or {}
        if allowed.get("users") or allowed.get("roles"):
            problems.append(f"{record.method} {record.path} may ping {allowed}")
    demo.step("Mentions")
    if problems:
        for problem in problems:
            demo.print(f"   ! {problem}")
    else:
        demo.print(
            f"   {len(written)} messages written; none could ping anyone "
            "(allowed_mentions parse=[], no users, no roles; @everyone is shown, not sent)."
        )
    return len(problems)


# -- running it -------------------------------------------------------------------------


async def run(database: Path | None, out: TextIO) -> int:
    """The whole demo; 0 when it went as expected."""
    started = time.monotonic()
    with contextlib.ExitStack() as stack:
        folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="qa-discord-demo-")))
        db = database or folder / "demo.db"
        async with FakeDiscord(patch=False, token="demo-bot-token") as fake:
            demo = Demo(fake, out)
            config_file = folder / "qa-core.toml"
            config_file.write_text(
                f'[database]\nurl = "sqlite:///{db}"\n'
                "[plugins]\nload_entrypoints = false  # the demo runs the built-in policies only\n"
                f'[discord]\napi_base = "{fake.api_url}"\ngateway = "{fake.gateway_url}"\n'
                f"guild_ids = [{demo.guild.id}]\nguild_ready_timeout = 0.05\n"
                "edit_interval = 0.15\nedit_debounce = 0.05\n",
                encoding="utf-8",
            )
            config = load_config(config_file, env={})
            section = config.platform("discord")
            token = token_from(section, env={"DISCORD_TOKEN": fake.token})
            demo.print("qa-core Discord adapter demo")
            demo.print(f"   a fake Discord on {fake.url} (server “{demo.guild.name}”)")
            demo.print("   the real bot, started as `qa-bot run discord` starts it")
            demo.print(f"   configuration {config_file}, database {db}")
            bot = asyncio.create_task(DiscordRunner().main(config, section, token))
            try:
                await fake.wait_until_connected(timeout=10)
                await demo.settle()
                await the_ama(demo)
                problems = check_mentions(demo)
            finally:
                bot.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await bot
    demo.print()
    demo.print(f"Done in {time.monotonic() - started:.1f} s.")
    return 1 if problems else 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m qa_core_discord.testing.demo",
        description="Run a short AMA against a local fake Discord and print what the bot does.",
    )
    parser.add_argument(
        "--database", type=Path, help="SQLite file to keep (default: a temporary one)"
    )
    args = parser.parse_args(argv)
    return asyncio.run(run(args.database, sys.stdout))


# -- text helpers -----------------------------------------------------------------------


def name(member: FakeMember) -> str:
    return member.nick or member.user.username


def clip(text: str, limit: int = LINE) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _option(value: object) -> str:
    if isinstance(value, FakeChannel):
        return f"#{value.name}"
    text = str(value)
    return f'"{text}"' if " " in text else text


def _title(message: Mapping[str, Any]) -> str:
    embeds = message.get("embeds") or []
    return str(embeds[0].get("title") or "") if embeds else ""


def _buttons(message: Mapping[str, Any]) -> list[str]:
    return [
        f"[{c.get('label')}{' (disabled)' if c.get('disabled') else ''}]"
        for row in message.get("components") or []
        for c in row.get("components") or []
    ]


def describe(message: Mapping[str, Any]) -> list[str]:
    """A message as lines of text: content, each embed, buttons, attachments."""
    lines = [line for line in (message.get("content") or "").splitlines() if line]
    for embed in message.get("embeds") or []:
        if embed.get("title"):
            lines.append(f"▌{embed['title']}")
        lines += [f"▌  {line}" for line in (embed.get("description") or "").splitlines() if line]
        fields = [
            f"{f['name']}: {' / '.join(str(f['value']).splitlines())}"
            for f in embed.get("fields") or []
        ]
        lines += [f"▌  {' | '.join(fields)}"] if fields else []
        footer = (embed.get("footer") or {}).get("text")
        if footer:
            lines.append(f"▌  — {footer}")
    buttons = _buttons(message)
    if buttons:
        lines.append(" ".join(buttons))
    lines += [f"📎 {a.get('filename')}" for a in message.get("attachments") or []]
    return lines or ["(no text)"]


def summary(message: Mapping[str, Any]) -> str:
    """An edit in one line: what changed where it matters (title, footer, buttons)."""
    parts = []
    for embed in message.get("embeds") or []:
        footer = (embed.get("footer") or {}).get("text")
        parts.append(f"“{embed.get('title')}”" + (f" — {footer}" if footer else ""))
    if message.get("content"):
        parts.append(str(message["content"]).splitlines()[0])
    buttons = _buttons(message)
    parts.append(" ".join(buttons) if buttons else "no buttons")
    return " · ".join(parts)


if __name__ == "__main__":
    sys.exit(main())
