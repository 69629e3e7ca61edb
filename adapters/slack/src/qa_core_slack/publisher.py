"""The publisher: core events become Slack messages, posted and kept up to date.

Registered at run time as a qa_core plugin (``qa_on_event``). It never blocks the engine on
Slack: events only queue work, and :meth:`Publisher.flush` (run by a background task, or
called by tests) does it. New messages go out in order; edits are coalesced: a message
that changed ten times since its last edit gets one ``chat.update`` with its latest state,
no more often than ``update_interval`` per message, and within a per-workspace budget under
``chat.update``'s Tier 3 (about 50 a minute). A 429 pauses that workspace for its
``Retry-After`` and keeps the work.

App Home is kept live the same way: when the moderation queue changes, the Home of each
moderator who opened it lately (:meth:`AdapterState.home_watchers`) is marked, and when the
stage or the queue of what comes next changes, the session guests' Home is; each Home is
published at most once per ``update_interval``, within its own per-workspace
``views.publish`` budget (Tier 4, about 100 a minute), and a 429 pauses only Home publishing.
The view itself comes from :attr:`Publisher.homes` (set by ``register``).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from typing import Any

import attrs
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

import qa_core
from qa_core import Actor, Engine, Event, QuestionState, Role, UserRef, events

from . import render
from .state import AdapterState, Where
from .translate import OPT_MOD_CHANNEL, PLATFORM

log = logging.getLogger(__name__)

ClientSource = Callable[[str], Awaitable[AsyncWebClient | None]]
# (client, team id, user id) -> the user's App Home view, or None to leave it as it is.
HomeSource = Callable[[AsyncWebClient, str, str], Awaitable[dict[str, Any] | None]]
CHAT, HOME = "chat", "home"  # rate-limit lanes: messages, App Home
BOT_USER = "qa-bot"


@attrs.frozen
class Origin:
    """Where the command being run came from (set by the glue around ``engine.execute``)."""

    channel: str


ORIGIN: ContextVar[Origin | None] = ContextVar("qa_core_slack_origin", default=None)


def system_actor(tenant: str) -> Actor:
    """The publisher reads as a host of the tenant; what it renders for the public is redacted."""
    return Actor(UserRef(tenant, BOT_USER), BOT_USER, frozenset({Role.HOST, Role.PARTICIPANT}))


def team_of(tenant: str) -> str | None:
    platform, _, team = tenant.partition(":")
    return team if platform == PLATFORM and team else None


@attrs.frozen
class Target:
    """Something shown in Slack that must be re-rendered: a question's messages, a board..."""

    tenant: str
    # "question" | "votes" (its public message only) | "board" | "announcement": messages;
    # "home" (id: a user id): one App Home; "mod-homes" | "guest-homes" (id: a session id):
    # the Homes to mark at the next flush (the moderators who watch theirs, the guests).
    kind: str
    id: int | str

    @property
    def lane(self) -> str:
        return HOME if self.kind == "home" else CHAT


@attrs.frozen
class _Post:
    tenant: str
    run: Callable[[AsyncWebClient], Awaitable[None]]


class _OutOfBudget(Exception):
    """This workspace's chat.update budget is spent for now."""


class RateLimited(Exception):
    def __init__(self, retry_after: float) -> None:
        super().__init__(f"rate limited for {retry_after}s")
        self.retry_after = retry_after


class _Bucket:
    def __init__(self, per_minute: float, burst: float, now: float) -> None:
        self.rate, self.capacity = per_minute / 60.0, burst
        self.tokens, self.updated = burst, now

    def has(self, now: float) -> bool:
        self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        return self.tokens >= 1.0

    def take(self, now: float) -> bool:
        if not self.has(now):
            return False
        self.tokens -= 1.0
        return True

    def spend(self, now: float) -> None:
        """Count a call made outside the publisher (it may leave the bucket owing)."""
        self.has(now)
        self.tokens = max(-self.capacity, self.tokens - 1.0)


# Question events after which the moderators' Home changes though the question is not pending.
_QUEUE_OR_STAGE = (
    events.QuestionApproved
    | events.QuestionRejected
    | events.QuestionWithdrawn
    | events.QuestionsMerged
    | events.QuestionSelected
    | events.QuestionAnswered
    | events.QuestionSkipped
    | events.QuestionDeferred
)


class Publisher:
    """Posts and edits Slack messages for core events. See the module docstring."""

    def __init__(
        self,
        clients: ClientSource,
        *,
        update_interval: float = 2.0,
        updates_per_minute: float = 40.0,
        update_burst: float = 10.0,
        home_updates_per_minute: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.clients = clients
        self.update_interval = update_interval
        self.updates_per_minute = updates_per_minute
        self.update_burst = update_burst
        self.home_updates_per_minute = home_updates_per_minute
        self.clock = clock
        self.engine: Engine | None = None
        self.homes: HomeSource | None = None
        self._posts: deque[_Post] = deque()
        self._dirty: dict[Target, None] = {}
        self._last_update: dict[Target, float] = {}
        self._buckets: dict[tuple[str, str], _Bucket] = {}
        self._blocked_until: dict[tuple[str, str], float] = {}
        self._wake = asyncio.Event()
        self._lock = asyncio.Lock()
        self._task: asyncio.Task[None] | None = None

    # ----- plugin hook ---------------------------------------------------------------------

    @qa_core.hookimpl
    async def qa_on_event(self, event: Event, engine: Engine) -> None:
        tenant = event.actor.user.tenant
        if team_of(tenant) is None:
            return
        self.engine = engine
        state = AdapterState(engine.store)
        if isinstance(event, events.SessionCreated):
            origin = ORIGIN.get()
            if origin is None:
                return  # created elsewhere (the CLI): no channel to announce it in
            await state.bind_session(tenant, event.session.id, origin.channel)
            self._post(
                tenant,
                lambda c: self._post_session_message(c, tenant, event.session.id, "announcement"),
            )
            self._post(
                tenant, lambda c: self._post_session_message(c, tenant, event.session.id, "board")
            )
        elif isinstance(event, events.SessionUpdated):
            self._mark(Target(tenant, "announcement", event.session_id))
        elif isinstance(event, events.SessionStateChanged):
            self._mark(Target(tenant, "announcement", event.session_id))
            self._mark(Target(tenant, "board", event.session_id))
            self._post(tenant, lambda c: self._post_note(c, tenant, event.session_id))
        elif isinstance(event, events.QuestionEvent):
            self._on_question(tenant, event)
        elif isinstance(event, events.VoteCast | events.VoteRetracted):
            # Counts show only on the public message: the moderators' card is not edited.
            self._mark(Target(tenant, "votes", event.question_id))
            self._mark(Target(tenant, "board", event.session_id))
        self._mark_homes(tenant, event)
        self._wake.set()

    def _mark_homes(self, tenant: str, event: Event) -> None:
        """Which App Homes this event changes; they are published later, coalesced.

        Moderators who watch their Home see the moderation queue and the stage; guests see
        the stage and what comes next, which votes reorder.
        """
        if self.homes is None or event.session_id == events.TENANT_WIDE:
            return
        sid = event.session_id
        moderators, guests = Target(tenant, "mod-homes", sid), Target(tenant, "guest-homes", sid)
        if isinstance(event, events.VoteCast | events.VoteRetracted):
            self._mark(guests)
        elif isinstance(event, events.QuestionEvent):
            if event.question.state is QuestionState.PENDING:
                self._mark(moderators)  # entered the queue (or changed in it): not public
            elif isinstance(event, _QUEUE_OR_STAGE):
                self._mark(moderators)  # left the queue, or the stage moved
                self._mark(guests)
            else:
                self._mark(guests)  # public and in play: pinned, edited, submitted (post)
        elif isinstance(
            event, events.SessionCreated | events.SessionUpdated | events.SessionStateChanged
        ):
            self._mark(moderators)
            self._mark(guests)

    def _on_question(self, tenant: str, event: events.QuestionEvent) -> None:
        q = event.question
        board = Target(tenant, "board", event.session_id)
        if isinstance(event, events.QuestionSubmitted):
            if q.state is QuestionState.PENDING:
                self._post(tenant, lambda c: self._post_moderation_card(c, tenant, q.id))
            else:
                self._post(tenant, lambda c: self._post_question(c, tenant, q.id))
                self._mark(board)
            return
        self._mark(Target(tenant, "question", q.id))
        self._mark(board)
        if isinstance(event, events.QuestionApproved):
            self._post(tenant, lambda c: self._post_question(c, tenant, q.id))
        elif isinstance(event, events.QuestionsMerged):
            self._mark(Target(tenant, "question", event.duplicate.id))
        elif isinstance(event, events.QuestionUnmerged):
            self._mark(Target(tenant, "question", event.former_target.id))
            if q.state is not QuestionState.PENDING:
                self._post(tenant, lambda c: self._post_question(c, tenant, q.id))
        elif isinstance(event, events.QuestionRejected):
            payload = render.rejected_dm(q, event.reason, event.message)
            self._post(tenant, lambda c: self._direct_message(c, event.asker.id, payload))
        elif isinstance(event, events.QuestionSelected):
            self._post(tenant, lambda c: self._post_stage(c, tenant, q.id))
        elif isinstance(event, events.QuestionAnswered):
            self._post(tenant, lambda c: self._post_answer(c, tenant, q.id))
            for user in event.notify:
                self._post(tenant, self._notifier(tenant, q.id, user.id))

    def _notifier(
        self, tenant: str, qid: int, user_id: str
    ) -> Callable[[AsyncWebClient], Awaitable[None]]:
        return lambda c: self._notify_answered(c, tenant, qid, user_id)

    def _post(self, tenant: str, run: Callable[[AsyncWebClient], Awaitable[None]]) -> None:
        self._posts.append(_Post(tenant, run))

    def _mark(self, target: Target) -> None:
        self._dirty[target] = None

    # ----- running -------------------------------------------------------------------------

    @property
    def idle(self) -> bool:
        """Nothing left to post or edit."""
        return not self._posts and not self._dirty

    def start(self) -> None:
        """Run :meth:`flush` in the background whenever there is work (production)."""
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(
                self._run(), name="qa-slack-publisher"
            )

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    async def _run(self) -> None:
        while True:
            timeout = None if self.idle else max(0.05, self._next_due() - self.clock())
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout)
            self._wake.clear()
            try:
                await self.flush()
            except Exception:  # keep publishing whatever one bad message did
                log.exception("publisher flush failed")

    def _next_due(self) -> float:
        dues = [self._last_update.get(t, 0.0) + self.update_interval for t in self._dirty]
        dues += [v for v in self._blocked_until.values()]
        now = self.clock()
        future = [d for d in dues if d > now]
        return min(future) if future else now + 0.5

    async def flush(self) -> None:
        """Post what is queued, then edit what is due; what must wait stays queued."""
        async with self._lock:
            await self._flush_posts()
            await self._flush_updates()

    async def _flush_posts(self) -> None:
        waiting: deque[_Post] = deque()
        while self._posts:
            post = self._posts.popleft()
            if self._blocked(post.tenant, CHAT) or any(p.tenant == post.tenant for p in waiting):
                waiting.append(post)  # keep each workspace's posts in order
                continue
            client = await self._client(post.tenant)
            if client is None:
                continue
            try:
                await post.run(client)
            except RateLimited as limited:
                self._block(post.tenant, CHAT, limited.retry_after)
                waiting.append(post)
            except SlackApiError as error:
                log.warning("Slack refused a post: %s", error.response.get("error"))
            except Exception:  # one broken post must not lose the others
                log.exception("a post failed")
        self._posts = waiting + self._posts  # anything queued meanwhile goes after

    async def _flush_updates(self) -> None:
        await self._expand_homes()
        now = self.clock()
        for target in list(self._dirty):
            if self._blocked(target.tenant, target.lane) or self._spent(target, now):
                continue
            if now - self._last_update.get(target, -1e18) < self.update_interval:
                continue
            client = await self._client(target.tenant)
            del self._dirty[target]
            if client is None:
                continue
            self._last_update[target] = now
            try:
                await self._refresh(client, target)
            except _OutOfBudget:
                self._dirty[target] = None
            except RateLimited as limited:
                self._block(target.tenant, target.lane, limited.retry_after)
                self._dirty[target] = None
            except SlackApiError as error:
                # Deleted message, channel gone: retrying would only burn the budget.
                log.warning("Slack refused an update: %s", error.response.get("error"))
            except Exception:
                log.exception("an update failed")

    async def _expand_homes(self) -> None:
        """Replace "mod-homes" / "guest-homes" marks by one "home" mark per user they reach."""
        for target in [t for t in self._dirty if t.kind in ("mod-homes", "guest-homes")]:
            del self._dirty[target]
            if self.homes is None or self.engine is None:
                continue
            if target.kind == "mod-homes":
                for user in await AdapterState(self.engine.store).home_watchers(target.tenant):
                    self._mark(Target(target.tenant, "home", user))
                continue
            try:
                session = await self.engine.views.session(
                    int(target.id), system_actor(target.tenant)
                )
            except qa_core.QaError:
                session = None
            for guest in session.guests if session is not None else ():
                if guest.user.tenant == target.tenant:
                    self._mark(Target(target.tenant, "home", guest.user.id))

    def _bucket(self, tenant: str, lane: str, now: float) -> _Bucket:
        if lane == HOME:
            rate, burst = self.home_updates_per_minute, self.update_burst
        else:
            rate, burst = self.updates_per_minute, self.update_burst
        return self._buckets.setdefault((tenant, lane), _Bucket(rate, burst, now))

    def _spent(self, target: Target, now: float) -> bool:
        return not self._bucket(target.tenant, target.lane, now).has(now)

    def _blocked(self, tenant: str, lane: str) -> bool:
        return self._blocked_until.get((tenant, lane), 0.0) > self.clock()

    def _block(self, tenant: str, lane: str, seconds: float) -> None:
        self._blocked_until[(tenant, lane)] = self.clock() + seconds

    # ----- App Home published by the glue (a user opened it or acted from it) --------------

    def home_published(self, tenant: str, user: str) -> None:
        """The glue just published this Home: the next refresh waits an interval."""
        now = self.clock()
        self._last_update[Target(tenant, "home", user)] = now
        self._bucket(tenant, HOME, now).spend(now)

    def home_rate_limited(self, tenant: str, user: str, retry_after: float) -> None:
        """The glue's views.publish got a 429: publish it again once Slack allows."""
        self._block(tenant, HOME, retry_after)
        self._mark(Target(tenant, "home", user))
        self._wake.set()

    async def _client(self, tenant: str) -> AsyncWebClient | None:
        team = team_of(tenant)
        return await self.clients(team) if team else None

    # ----- the Slack calls -----------------------------------------------------------------

    def _engine(self) -> Engine:
        assert self.engine is not None, "qa_on_event sets the engine before any work is queued"
        return self.engine

    async def _call(self, client: AsyncWebClient, method: str, **params: Any) -> dict[str, Any]:
        try:
            response = await client.api_call(method, json=params)
        except SlackApiError as error:
            if error.response.status_code == 429:
                raise RateLimited(float(error.response.headers.get("Retry-After", "1"))) from None
            raise
        return dict(response.data) if isinstance(response.data, dict) else {}

    async def _send(
        self, client: AsyncWebClient, channel: str, payload: dict[str, Any], **extra: Any
    ) -> Where:
        sent = await self._call(
            client,
            "chat.postMessage",
            channel=channel,
            parse="none",
            unfurl_links=False,
            unfurl_media=False,
            **payload,
            **extra,
        )
        return Where(channel=str(sent.get("channel", channel)), ts=str(sent["ts"]))

    async def _edit(
        self, client: AsyncWebClient, tenant: str, where: Where, payload: dict[str, Any]
    ) -> None:
        if not self._bucket(tenant, CHAT, self.clock()).take(self.clock()):
            raise _OutOfBudget
        await self._call(
            client, "chat.update", channel=where.channel, ts=where.ts, parse="none", **payload
        )

    async def _post_session_message(
        self, client: AsyncWebClient, tenant: str, sid: int, name: str
    ) -> None:
        engine, state = self._engine(), AdapterState(self._engine().store)
        refs = await state.session_refs(tenant, sid)
        if refs is None or getattr(refs, name) is not None:
            return
        payload = await self._render_session(engine, tenant, sid, name)
        await state.set_session_message(
            tenant, sid, name, await self._send(client, refs.channel, payload)
        )

    async def _render_session(
        self, engine: Engine, tenant: str, sid: int, name: str
    ) -> dict[str, Any]:
        actor = system_actor(tenant)
        session = await engine.views.session(sid, actor)
        if name == "announcement":
            return render.announcement(session)
        top = await engine.views.public_queue(sid, actor, limit=render.BOARD_SIZE)
        return render.board(session, top)

    async def _post_note(self, client: AsyncWebClient, tenant: str, sid: int) -> None:
        engine = self._engine()
        refs = await AdapterState(engine.store).session_refs(tenant, sid)
        if refs is not None:
            session = await engine.views.session(sid, system_actor(tenant))
            await self._send(client, refs.channel, render.session_note(session))

    async def _post_question(self, client: AsyncWebClient, tenant: str, qid: int) -> None:
        engine = self._engine()
        state = AdapterState(engine.store)
        question = await engine.views.question(qid, system_actor(tenant))
        if (await state.question_refs(tenant, qid)).public is not None:
            return
        refs = await state.session_refs(tenant, question.session_id)
        if refs is None or question.state not in render.VOTABLE | {QuestionState.ANSWERED}:
            return
        where = await self._send(client, refs.channel, render.public_question(question))
        await state.set_question_message(tenant, qid, "public", where)

    async def _post_moderation_card(self, client: AsyncWebClient, tenant: str, qid: int) -> None:
        engine = self._engine()
        actor = system_actor(tenant)
        channel = (await engine.views.tenant_settings(actor)).option(OPT_MOD_CHANNEL)
        state = AdapterState(engine.store)
        if not channel or (await state.question_refs(tenant, qid)).moderation is not None:
            return  # without a moderators' channel the queue lives in App Home
        question = await engine.views.question(qid, actor)
        where = await self._send(client, channel, render.moderation_card(question))
        await state.set_question_message(tenant, qid, "moderation", where)

    async def _post_stage(self, client: AsyncWebClient, tenant: str, qid: int) -> None:
        engine = self._engine()
        question = await engine.views.question(qid, system_actor(tenant))
        refs = await AdapterState(engine.store).session_refs(tenant, question.session_id)
        if refs is not None:
            await self._send(client, refs.channel, render.on_stage(question))

    async def _post_answer(self, client: AsyncWebClient, tenant: str, qid: int) -> None:
        engine = self._engine()
        state = AdapterState(engine.store)
        question = await engine.views.question(qid, system_actor(tenant))
        public = (await state.question_refs(tenant, qid)).public
        refs = await state.session_refs(tenant, question.session_id)
        if question.answer is None or refs is None:
            return
        if public is not None:
            await self._send(client, public.channel, render.answer(question), thread_ts=public.ts)
        else:
            await self._send(client, refs.channel, render.answer(question))

    async def _notify_answered(
        self, client: AsyncWebClient, tenant: str, qid: int, user_id: str
    ) -> None:
        engine = self._engine()
        actor = system_actor(tenant)
        question = await engine.views.question(qid, actor)
        session = await engine.views.session(question.session_id, actor)
        await self._direct_message(client, user_id, render.answered_dm(question, session))

    async def _direct_message(
        self, client: AsyncWebClient, user_id: str, payload: dict[str, Any]
    ) -> None:
        opened = await self._call(client, "conversations.open", users=user_id)
        channel = (opened.get("channel") or {}).get("id")
        if channel:
            await self._send(client, channel, payload)

    async def _publish_home(self, client: AsyncWebClient, target: Target) -> None:
        team, user = team_of(target.tenant), str(target.id)
        if self.homes is None or team is None:
            return
        if not self._bucket(target.tenant, HOME, self.clock()).take(self.clock()):
            raise _OutOfBudget
        view = await self.homes(client, team, user)
        if view is not None:
            await self._call(client, "views.publish", user_id=user, view=view)

    async def _refresh(self, client: AsyncWebClient, target: Target) -> None:
        if target.kind == "home":
            await self._publish_home(client, target)
            return
        engine = self._engine()
        state = AdapterState(engine.store)
        actor = system_actor(target.tenant)
        tid = int(target.id)
        if target.kind in ("question", "votes"):
            refs = await state.question_refs(target.tenant, tid)
            question = await engine.views.question(tid, actor)
            if refs.public is not None:
                await self._edit(
                    client, target.tenant, refs.public, render.public_question(question)
                )
            if refs.moderation is not None and target.kind == "question":
                await self._edit(
                    client, target.tenant, refs.moderation, render.moderation_card(question)
                )
            return
        session_refs = await state.session_refs(target.tenant, tid)
        where = getattr(session_refs, target.kind, None) if session_refs else None
        if where is not None:
            await self._edit(
                client,
                target.tenant,
                where,
                await self._render_session(engine, target.tenant, tid, target.kind),
            )
