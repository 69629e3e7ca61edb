"""A local fake of the Slack Web API, response URLs, file uploads and Socket Mode.

One aiohttp server on an ephemeral ``127.0.0.1`` port plays slack.com for end-to-end tests of
the Slack adapter: real slack-bolt and slack_sdk code talks to it through
``AsyncWebClient(base_url=fake.url)``. It keeps state (messages per channel, views, files),
enforces Slack's limits and rate limits, and records every call for assertions.

Routes::

    /api/<method>            Web API (form, JSON or query arguments; Bearer token)
    /response/<team>/<token> response_url targets (respond(), replace_original, ...)
    /upload/v1/<ticket>      upload URLs returned by files.getUploadURLExternal
    /link/?ticket=...        Socket Mode websocket (URL from apps.connections.open)

Typical use::

    async with FakeSlack() as fake:
        client = AsyncWebClient(token=fake.bot_token, base_url=fake.url)
        await client.chat_postMessage(channel="C1", text="hi")
        assert fake.messages("C1")[0].text == "hi"
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from aiohttp import web

from .mentions import assert_no_unescaped_mentions
from .ratelimit import RateLimiter, RateLimitPolicy
from .records import Ephemeral, Message, RecordedCall, ResponseUrlPost, Team, UploadedFile, View
from .signing import SlackRequestFactory
from .socket_mode import FakeSocketMode
from .web_api import OAuthClient, WebApi

_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
# Methods whose arguments Slack renders to people; ``outgoing()`` scans these.
_RENDERING_METHODS = frozenset(
    {
        "chat.postMessage",
        "chat.update",
        "chat.postEphemeral",
        "views.open",
        "views.push",
        "views.update",
        "views.publish",
        "files.completeUploadExternal",
    }
)


class FakeSlack:
    """Slack on loopback. Start with ``async with FakeSlack() as fake`` (or ``start()``).

    :param teams: workspace ids with the app installed; the first is the default team.
    :param signing_secret: what ``request_factory()`` signs with; give the same to Bolt.
    :param rate_limits: budgets to enforce; ``RateLimitPolicy.disabled()`` turns them off.
    :param clock: wall clock for message ts, trigger expiry, response URLs and rate limits.
    """

    def __init__(
        self,
        *,
        teams: Iterable[str] = ("T0001",),
        signing_secret: str = "fake-signing-secret",
        app_id: str = "A0001",
        app_token: str = "xapp-1-A0001-fake",
        oauth: OAuthClient | None = None,
        rate_limits: RateLimitPolicy | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.signing_secret = signing_secret
        self.app_token = app_token
        self.api = WebApi(
            app_id=app_id,
            app_token=app_token,
            oauth=oauth,
            limiter=RateLimiter(rate_limits, clock=clock),
            clock=clock,
        )
        self.socket_mode = FakeSocketMode(app_id=app_id)
        self.api.socket_url = self.socket_mode.issue_url
        for team_id in teams:
            self.api.add_team(team_id)
        self._runner: web.AppRunner | None = None
        self._port = 0

    # ----- lifecycle ---------------------------------------------------------------------

    async def start(self) -> FakeSlack:
        """Bind an ephemeral loopback port and serve on the running event loop."""
        app = web.Application()
        app.router.add_route("*", "/api/{method}", self._api)
        app.router.add_post("/response/{team}/{token}", self._response_url)
        app.router.add_post("/upload/v1/{ticket}", self._upload)
        self.socket_mode.install(app)
        app.router.add_route("*", "/{tail:.*}", self._not_found)
        self._runner = web.AppRunner(app, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self._port = int(self._runner.addresses[0][1])
        self.api.root_url = self.root_url
        self.socket_mode.ws_root = f"ws://127.0.0.1:{self._port}"
        return self

    async def close(self) -> None:
        """Stop serving; close Socket Mode clients (``handler.close_async()``) before this."""
        await self.socket_mode.close()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeSlack:
        return await self.start()

    async def __aexit__(self, *exc_info: object) -> None:
        await self.close()

    @contextmanager
    def serving_in_thread(self) -> Iterator[FakeSlack]:
        """Serve from a background thread, for the blocking ``WebClient`` and sync ``App``.

        Socket Mode helpers and ``wait_for_call`` are asyncio-only; use
        ``wait_for_call_blocking`` here.
        """
        loop = asyncio.new_event_loop()
        ready = threading.Event()
        failure: list[BaseException] = []

        def serve() -> None:
            asyncio.set_event_loop(loop)
            try:
                loop.run_until_complete(self.start())
            except BaseException as err:  # surfaced in the caller's thread below
                failure.append(err)
                ready.set()
                return
            ready.set()
            loop.run_forever()

        thread = threading.Thread(target=serve, name="fake-slack", daemon=True)
        thread.start()
        ready.wait(10)
        if failure:
            raise failure[0]
        try:
            yield self
        finally:
            asyncio.run_coroutine_threadsafe(self.close(), loop).result(10)
            loop.call_soon_threadsafe(loop.stop)
            thread.join(10)
            loop.close()

    # ----- addresses ---------------------------------------------------------------------

    @property
    def root_url(self) -> str:
        """``http://127.0.0.1:<port>`` (no trailing slash)."""
        return f"http://127.0.0.1:{self._port}"

    @property
    def url(self) -> str:
        """The ``base_url`` for slack_sdk clients, with its trailing slash.

        Method URLs are built with ``urljoin``, which drops a last segment without one
        (slack_sdk 3.48 adds the slash itself; older versions and hand-built URLs do not,
        and get a 404 with a hint).
        """
        return f"{self.root_url}/api/"

    # ----- workspaces --------------------------------------------------------------------

    @property
    def team(self) -> Team:
        """The default (first) workspace."""
        return next(iter(self.api.teams.values()))

    @property
    def bot_token(self) -> str:
        """The default workspace's bot token."""
        return self.team.bot_token

    def add_team(
        self, team_id: str, *, name: str | None = None, bot_token: str | None = None
    ) -> Team:
        """Install the app in another workspace; its bot token maps to ``team_id``."""
        return self.api.add_team(team_id, name=name, bot_token=bot_token)

    def add_user(
        self, user_id: str, *, team_id: str | None = None, name: str | None = None, **fields: Any
    ) -> dict[str, Any]:
        """Register a user for users.info / conversations.open.

        ``fields`` override keys of the user object, e.g. ``is_admin=True``.
        """
        team = self.api.teams[team_id or self.team.id]
        display = name or user_id.lower()
        user: dict[str, Any] = {
            "id": user_id,
            "team_id": team.id,
            "name": display,
            "real_name": display.title(),
            "deleted": False,
            "is_bot": False,
            "is_admin": False,
            "is_owner": False,
            "tz": "UTC",
            "profile": {"display_name": display, "real_name": display.title()},
            **fields,
        }
        team.users[user_id] = user
        return user

    def add_usergroup(
        self, group_id: str, members: Iterable[str], *, team_id: str | None = None
    ) -> None:
        """Register a user group (``S...``) for usergroups.users.list."""
        self.api.teams[team_id or self.team.id].usergroups[group_id] = list(members)

    def issue_oauth_code(self, team_id: str) -> str:
        """A one-time code ``oauth.v2.access`` exchanges for ``team_id``'s bot token."""
        return self.api.issue_oauth_code(team_id)

    def seed_message(
        self, channel: str, *, user: str, text: str, team_id: str | None = None
    ) -> Message:
        """Put someone else's message into a channel."""
        return self.api.channels.seed(team_id or self.team.id, channel, user=user, text=text)

    @property
    def rate_limits(self) -> RateLimiter:
        """Tune budgets or script failures: ``fake.rate_limits.fail_next("chat.update", 2)``."""
        return self.api.limiter

    # ----- signed requests ---------------------------------------------------------------

    def request_factory(
        self, *, team_id: str | None = None, signing_secret: str | None = None
    ) -> SlackRequestFactory:
        """A request builder whose trigger ids and response URLs this fake honours."""
        team = self.api.teams[team_id or self.team.id]
        return SlackRequestFactory(
            signing_secret=signing_secret or self.signing_secret,
            team_id=team.id,
            team_domain=team.domain,
            api_app_id=team.app_id,
            bot_user_id=team.bot_user_id,
            issuer=self.api,
            clock=self.api.clock,
        )

    # ----- state for assertions ----------------------------------------------------------

    @property
    def calls(self) -> list[RecordedCall]:
        """Every Web API call in order, refused ones included."""
        return self.api.calls

    def calls_to(self, method: str, *, ok: bool | None = None) -> list[RecordedCall]:
        """Calls to one method, optionally only successful (``ok=True``) or failed ones."""
        return [c for c in self.api.calls if c.method == method and (ok is None or c.ok == ok)]

    def messages(
        self, channel: str, *, team_id: str | None = None, include_deleted: bool = False
    ) -> list[Message]:
        """Messages in a channel, oldest first."""
        found = self.api.channels.messages.get((team_id or self.team.id, channel), [])
        return [m for m in found if include_deleted or not m.deleted]

    @property
    def ephemerals(self) -> list[Ephemeral]:
        """Ephemeral messages from chat.postEphemeral and ephemeral response_url posts."""
        return self.api.channels.ephemerals

    @property
    def views(self) -> dict[str, View]:
        """Every view opened, pushed or published, by view id."""
        return self.api.views.by_id

    def home_view(self, user_id: str, *, team_id: str | None = None) -> View | None:
        """The App Home view last published for a user."""
        return self.api.views.home.get((team_id or self.team.id, user_id))

    @property
    def files(self) -> dict[str, UploadedFile]:
        """Files by id, from files.getUploadURLExternal on."""
        return self.api.files

    @property
    def responses(self) -> list[ResponseUrlPost]:
        """Every POST to a response URL, in order."""
        return self.api.response_urls.posts

    async def wait_for_call(
        self, method: str, *, count: int = 1, timeout: float = 2.0
    ) -> list[RecordedCall]:
        """Wait until ``method`` was called ``count`` times; Bolt runs listeners after ``ack()``."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while len(found := self.calls_to(method)) < count:
            if loop.time() > deadline:
                raise AssertionError(self._missing(method, count, len(found)))
            await asyncio.sleep(0.005)
        return found

    def wait_for_call_blocking(
        self, method: str, *, count: int = 1, timeout: float = 2.0
    ) -> list[RecordedCall]:
        """``wait_for_call`` for tests that use ``serving_in_thread``."""
        deadline = time.monotonic() + timeout
        while len(found := self.calls_to(method)) < count:
            if time.monotonic() > deadline:
                raise AssertionError(self._missing(method, count, len(found)))
            time.sleep(0.005)
        return found

    def outgoing(self) -> list[tuple[str, Any]]:
        """Every payload the app asked Slack to show people: ``(label, payload)`` pairs."""
        out: list[tuple[str, Any]] = [
            (f"{c.method}#{i}", dict(c.params))
            for i, c in enumerate(self.api.calls)
            if c.method in _RENDERING_METHODS
        ]
        out.extend((f"response_url#{i}", dict(r.body)) for i, r in enumerate(self.responses))
        return out

    def assert_no_unescaped_mentions(self, *, allow: Iterable[str] = ()) -> None:
        """Fail if anything the app sent would ping people or disguise a link.

        Looks for ``<!channel>``, ``<!here>``, ``<!everyone>``, ``<!subteam^..>``, ``<@U..>``
        and ``<http..|label>`` in what Slack parses; ``allow`` lists exact tokens the app
        writes on purpose.
        """
        assert_no_unescaped_mentions(self.outgoing(), allow=allow)

    def _missing(self, method: str, count: int, seen: int) -> str:
        methods = [c.method for c in self.api.calls]
        return f"expected {count} call(s) to {method}, saw {seen}; all calls: {methods}"

    # ----- HTTP handlers -----------------------------------------------------------------

    async def _api(self, request: web.Request) -> web.Response:
        params = await _request_params(request)
        reply = self.api.call(
            request.match_info["method"], params, authorization=request.headers.get("Authorization")
        )
        return web.json_response(reply.body, status=reply.status, headers=dict(reply.headers))

    async def _response_url(self, request: web.Request) -> web.Response:
        try:
            body = await request.json()
        except ValueError:
            return web.json_response({"ok": False, "error": "invalid_payload"}, status=400)
        team, token = request.match_info["team"], request.match_info["token"]
        reply = self.api.response_urls.post(team, token, body)
        return web.json_response(reply.body, status=reply.status)

    async def _upload(self, request: web.Request) -> web.Response:
        content = await request.read()
        if not self.api.receive_upload(request.match_info["ticket"], content):
            return web.Response(status=404, text="unknown upload url")
        return web.Response(text=f"OK - {len(content)}", content_type="text/plain")

    async def _not_found(self, request: web.Request) -> web.Response:
        hint = (
            "Web API methods live under /api/; did the client's base_url lose its trailing slash?"
        )
        return web.json_response({"ok": False, "error": "unknown_method", "hint": hint}, status=404)


async def _request_params(request: web.Request) -> dict[str, Any]:
    """Merge query-string and body arguments.

    slack_sdk sends some methods' arguments as query parameters on a POST (chat.delete,
    conversations.open, files.*), others as JSON or form bodies.
    """
    params: dict[str, Any] = dict(request.query)
    if request.content_type == "application/json" and request.can_read_body:
        body = await request.json()
        if isinstance(body, dict):
            params.update(body)
    elif request.content_type in _FORM_TYPES:
        form = await request.post()
        params.update({k: v for k, v in form.items() if isinstance(v, str)})
    return params
