"""Run a Bolt ``AsyncApp`` as the real aiohttp server Slack would call, on loopback.

``AsyncApp.web_app()`` builds the same ``aiohttp`` application ``app.start()`` serves (the
events path plus, with OAuth configured, the install and redirect paths). Posting signed
requests to it covers what ``async_dispatch`` skips: body reading, header mapping, the HTTP
status and cookies. ``install()`` walks the OAuth flow the way a browser would, with
``oauth.v2.access`` answered by the fake.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from http.cookies import SimpleCookie
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

import aiohttp
from aiohttp import web

from .signing import SlackRequest

if TYPE_CHECKING:
    from slack_bolt.async_app import AsyncApp

    from .fake_slack import FakeSlack

_AUTHORIZE_LINK = re.compile(r'<a href="([^"]*state=[^"]*)"')


@dataclass(frozen=True)
class HttpResult:
    """Status, body, headers and cookies of one response from the app."""

    status: int
    body: str
    headers: Mapping[str, str]
    cookies: Mapping[str, str]

    def json(self) -> Any:
        """The body parsed as JSON."""
        return json.loads(self.body)


@dataclass(frozen=True)
class InstallResult:
    """The OAuth round trip: where the app sent the browser, the state, the final page."""

    authorize_url: str
    state: str
    callback: HttpResult


class BoltHttpServer:
    """Serve ``app.web_app(path)`` on an ephemeral ``127.0.0.1`` port.

    Usage::

        async with BoltHttpServer(app) as server:
            result = await server.post(factory.slash_command("/ask", "hi"))
    """

    def __init__(self, app: AsyncApp, *, path: str = "/slack/events") -> None:
        self.app = app
        self.path = path
        self._runner: web.AppRunner | None = None
        self._session: aiohttp.ClientSession | None = None
        self._port = 0

    async def start(self) -> BoltHttpServer:
        """Bind an ephemeral loopback port and serve the app on the running loop."""
        self._runner = web.AppRunner(self.app.web_app(path=self.path), handle_signals=False)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        self._port = int(self._runner.addresses[0][1])
        self._session = aiohttp.ClientSession()
        return self

    async def close(self) -> None:
        """Stop serving and close the HTTP client."""
        if self._session is not None:
            await self._session.close()
            self._session = None
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> BoltHttpServer:
        return await self.start()

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:<port>``."""
        return f"http://127.0.0.1:{self._port}"

    @property
    def events_url(self) -> str:
        """The Request URL one would configure in the Slack app settings."""
        return self.base_url + self.path

    async def post(self, request: SlackRequest) -> HttpResult:
        """POST a signed request exactly as built (raw body, Slack's headers)."""
        return await self._send(
            "POST", self.events_url, data=request.body.encode(), headers=dict(request.headers)
        )

    async def get(self, path: str, *, cookies: Mapping[str, str] | None = None) -> HttpResult:
        """GET a path on the app without following redirects (``/slack/install`` answers 302)."""
        headers = (
            {"Cookie": "; ".join(f"{k}={v}" for k, v in (cookies or {}).items())} if cookies else {}
        )
        return await self._send("GET", self.base_url + path, headers=headers)

    async def install(self, fake: FakeSlack, team_id: str) -> InstallResult:
        """Install the app into ``team_id`` through ``/slack/install`` and the OAuth redirect.

        The step at slack.com (the user approving scopes) is replaced by asking the fake for
        a code; the state and its browser cookie make the full round trip, so Bolt's state
        validation runs for real.
        """
        flow = self.app.oauth_flow
        if flow is None:
            raise RuntimeError("the app has no oauth_settings / oauth_flow")
        start = await self.get(flow.install_path)
        authorize_url = _authorize_url(start)
        state = parse_qs(urlsplit(authorize_url).query).get("state", [""])[0]
        code = fake.issue_oauth_code(team_id)
        callback = await self.get(
            f"{flow.redirect_uri_path}?code={code}&state={state}", cookies=start.cookies
        )
        return InstallResult(authorize_url, state, callback)

    async def _send(self, method: str, url: str, **kwargs: Any) -> HttpResult:
        if self._session is None:
            raise RuntimeError("call start() first")
        async with self._session.request(method, url, allow_redirects=False, **kwargs) as response:
            body = await response.text()
            cookies = _cookies(response.headers.getall("Set-Cookie", []))
            return HttpResult(response.status, body, dict(response.headers), cookies)


def _authorize_url(start: HttpResult) -> str:
    """Bolt redirects (302 Location) or renders a page with an "Add to Slack" link."""
    location = start.headers.get("Location")
    if location:
        return location
    match = _AUTHORIZE_LINK.search(start.body)
    if match is None:
        raise AssertionError(
            f"no authorize URL in install response ({start.status}): {start.body[:200]}"
        )
    return html.unescape(match.group(1))


def _cookies(set_cookie_headers: list[str]) -> dict[str, str]:
    """Cookie name → value from Set-Cookie headers.

    Parsed by hand: Bolt's aiohttp adapter marks cookies Secure, and aiohttp's cookie jar
    would not send Secure cookies back over plain http.
    """
    jar: SimpleCookie = SimpleCookie()
    for header in set_cookie_headers:
        jar.load(header)
    return {name: morsel.value for name, morsel in jar.items()}
