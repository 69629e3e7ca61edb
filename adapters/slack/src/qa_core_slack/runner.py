"""``qa-bot run slack``: the standalone Slack bot, in Socket Mode (default) or HTTP mode.

Configuration: the ``[slack]`` table of the qa-core TOML file (checked by :meth:`check`);
secrets only from the environment (:data:`ENV`). HTTP mode can serve many workspaces with
OAuth installs kept, encrypted, in the qa-core database.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Mapping
from typing import Any

import attrs
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncApp
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_sdk.web.async_client import AsyncWebClient

from qa_core import Config, Engine, InvalidInput, Scheduler
from qa_core.app import build_engine

from . import logs
from .glue import SlackQA, register
from .installations import KEY_ENV, EncryptedInstallationStore, StoreOAuthStateStore
from .publisher import Publisher
from .translate import PLATFORM

DEFAULT_BASE_URL = "https://slack.com/api/"
DEFAULT_SCOPES = (
    "commands",
    "chat:write",
    "users:read",
    "usergroups:read",
    "im:write",
    "files:write",
)
ENV = {
    "SLACK_BOT_TOKEN": "bot token xoxb-… (single workspace)",
    "SLACK_APP_TOKEN": "app-level token xapp-… with connections:write (Socket Mode)",
    "SLACK_SIGNING_SECRET": "signing secret (HTTP mode)",
    "SLACK_CLIENT_ID": "OAuth client id (HTTP mode with oauth = true)",
    "SLACK_CLIENT_SECRET": "OAuth client secret (HTTP mode with oauth = true)",
    KEY_ENV: "Fernet key encrypting installation tokens (oauth = true)",
}
_KEYS: dict[str, tuple[type, ...]] = {
    "mode": (str,),
    "base_url": (str,),
    "command": (str,),
    "host": (str,),
    "port": (int,),
    "path": (str,),
    "oauth": (bool,),
    "scopes": (list,),
    "install_path": (str,),
    "redirect_uri_path": (str,),
    "update_interval": (int, float),
    "updates_per_minute": (int, float),
    "home_updates_per_minute": (int, float),
    "schedule_interval": (int, float),
}


@attrs.define
class SlackRuntime:
    """Everything the running bot is made of; tests build one against the fake."""

    engine: Engine
    app: AsyncApp
    qa: SlackQA
    publisher: Publisher
    mode: str
    section: Mapping[str, Any]
    env: Mapping[str, str]
    installations: EncryptedInstallationStore | None = None


def _missing(env: Mapping[str, str], *names: str) -> None:
    absent = [n for n in names if not env.get(n)]
    if absent:
        raise InvalidInput(
            "Set " + ", ".join(f"{n} ({ENV[n]})" for n in absent) + " in the environment."
        )


async def build(
    config: Config, section: Mapping[str, Any], env: Mapping[str, str] | None = None
) -> SlackRuntime:
    """The engine with the publisher registered, the Bolt app and its listeners."""
    problems = SlackRunner().check(section)
    if problems:
        raise InvalidInput("; ".join(f"slack.{p}" for p in problems))
    env = os.environ if env is None else env
    mode = str(section.get("mode", "socket"))
    base_url = str(section.get("base_url", DEFAULT_BASE_URL))
    oauth = bool(section.get("oauth", False))
    installations: EncryptedInstallationStore | None = None
    clients: dict[str, AsyncWebClient] = {}

    if oauth:
        _missing(env, "SLACK_SIGNING_SECRET", "SLACK_CLIENT_ID", "SLACK_CLIENT_SECRET", KEY_ENV)

        async def client_for(team_id: str) -> AsyncWebClient | None:
            assert installations is not None
            token = await installations.bot_token(team_id)
            if token is None:
                return None
            if team_id not in clients or clients[team_id].token != token:
                clients[team_id] = AsyncWebClient(token=token, base_url=base_url)
            return clients[team_id]
    else:
        _missing(
            env,
            "SLACK_BOT_TOKEN",
            "SLACK_APP_TOKEN" if mode == "socket" else "SLACK_SIGNING_SECRET",
        )
        single = AsyncWebClient(token=env["SLACK_BOT_TOKEN"], base_url=base_url)

        async def client_for(team_id: str) -> AsyncWebClient | None:
            return single

    publisher = Publisher(
        client_for,
        update_interval=float(section.get("update_interval", 2.0)),
        updates_per_minute=float(section.get("updates_per_minute", 40.0)),
        home_updates_per_minute=float(section.get("home_updates_per_minute", 60.0)),
    )
    engine = build_engine(config, plugins=[publisher])
    await engine.start()
    if oauth:
        installations = EncryptedInstallationStore(engine.store, env[KEY_ENV])
        settings = AsyncOAuthSettings(
            client_id=env["SLACK_CLIENT_ID"],
            client_secret=env["SLACK_CLIENT_SECRET"],
            scopes=list(section.get("scopes", DEFAULT_SCOPES)),
            installation_store=installations,
            state_store=StoreOAuthStateStore(engine.store),
            install_path=str(section.get("install_path", "/slack/install")),
            redirect_uri_path=str(section.get("redirect_uri_path", "/slack/oauth_redirect")),
        )
        app = AsyncApp(
            signing_secret=env["SLACK_SIGNING_SECRET"],
            client=AsyncWebClient(base_url=base_url),
            oauth_settings=settings,
        )
    elif mode == "http":
        app = AsyncApp(
            signing_secret=env["SLACK_SIGNING_SECRET"],
            client=AsyncWebClient(token=env["SLACK_BOT_TOKEN"], base_url=base_url),
        )
    else:
        app = AsyncApp(client=AsyncWebClient(token=env["SLACK_BOT_TOKEN"], base_url=base_url))
    command = str(section.get("command", "/ama"))
    qa = register(app, engine, publisher=publisher, command=command, all_actions=True)
    return SlackRuntime(engine, app, qa, publisher, mode, section, env, installations)


def scheduler_for(runtime: SlackRuntime) -> Scheduler:
    """Opens the scheduled AMAs of Slack workspaces (never another platform's) on time."""
    return Scheduler(
        runtime.engine,
        lambda tenant: tenant.startswith(f"{PLATFORM}:"),
        interval=float(runtime.section.get("schedule_interval", 30.0)),
    )


async def serve(runtime: SlackRuntime) -> None:
    """Run until cancelled: the Socket Mode connection or the HTTP server."""
    runtime.publisher.start()
    scheduler = scheduler_for(runtime)
    scheduler.start()
    try:
        if runtime.mode == "socket":
            handler = AsyncSocketModeHandler(runtime.app, runtime.env["SLACK_APP_TOKEN"])
            await handler.start_async()  # type: ignore[no-untyped-call]  # untyped in slack_bolt
        else:
            from aiohttp import web

            path = str(runtime.section.get("path", "/slack/events"))
            web_runner = web.AppRunner(runtime.app.web_app(path=path))
            await web_runner.setup()
            host = str(runtime.section.get("host", "0.0.0.0"))
            await web.TCPSite(web_runner, host, int(runtime.section.get("port", 3000))).start()
            try:
                await asyncio.Event().wait()
            finally:
                await web_runner.cleanup()
    finally:
        await scheduler.stop()
        await runtime.publisher.stop()
        await runtime.engine.stop()


class SlackRunner:
    """The ``qa_core.runners`` entry point: ``check`` the ``[slack]`` table, ``run`` the bot."""

    def check(self, section: Mapping[str, Any]) -> list[str]:
        problems: list[str] = []
        for key, value in section.items():
            if key not in _KEYS:
                problems.append(f"{key}: unknown key")
            elif not isinstance(value, _KEYS[key]) or (
                isinstance(value, bool) and bool not in _KEYS[key]
            ):
                problems.append(f"{key}: expected {' or '.join(t.__name__ for t in _KEYS[key])}")
        mode = section.get("mode", "socket")
        if mode not in ("socket", "http"):
            problems.append(f"mode: 'socket' or 'http', not {mode!r}")
        if section.get("oauth") and mode != "http":
            problems.append(
                "oauth: OAuth installs need mode = 'http' (Socket Mode serves one workspace)"
            )
        base_url = section.get("base_url")
        if isinstance(base_url, str) and not base_url.startswith(("http://", "https://")):
            problems.append("base_url: an http(s) URL, e.g. https://slack.com/api/")
        command = section.get("command")
        if isinstance(command, str) and not command.startswith("/"):
            problems.append("command: starts with '/', e.g. /ama")
        scopes = section.get("scopes")
        if isinstance(scopes, list) and not all(isinstance(s, str) for s in scopes):
            problems.append("scopes: a list of strings")
        return problems

    def run(self, config: Config, section: Mapping[str, Any]) -> None:
        logs.install()

        async def main() -> None:
            await serve(await build(config, section))

        asyncio.run(main())


runner = SlackRunner()
