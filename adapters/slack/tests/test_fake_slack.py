"""Tests of the fake Slack itself, driven by the real slack_sdk and slack-bolt code."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from urllib.parse import urljoin

import aiohttp
import pytest
import pytest_asyncio
from qa_core_slack.testing import (
    TIER_3,
    BoltHttpServer,
    FakeSlack,
    RateLimiter,
    RateLimitPolicy,
    SlackRequestFactory,
    check_message,
    check_view,
    find_unescaped_mentions,
    signature,
)
from slack_bolt import App
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler
from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond, AsyncSay
from slack_bolt.oauth.async_oauth_settings import AsyncOAuthSettings
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry import builtin_async_handlers
from slack_sdk.http_retry.builtin_async_handlers import AsyncRateLimitErrorRetryHandler
from slack_sdk.oauth.installation_store import FileInstallationStore
from slack_sdk.oauth.state_store import FileOAuthStateStore
from slack_sdk.signature import SignatureVerifier
from slack_sdk.web.async_client import AsyncWebClient
from slack_sdk.webhook.async_client import AsyncWebhookClient

SECRET = "fake-signing-secret"


class Clock:
    """A wall clock the test moves by hand."""

    def __init__(self, now: float = 1_700_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest_asyncio.fixture
async def fake() -> AsyncIterator[FakeSlack]:
    async with FakeSlack(teams=("T0001", "T0002"), signing_secret=SECRET) as server:
        yield server


def client_for(fake: FakeSlack, token: str | None = None, **kwargs: Any) -> AsyncWebClient:
    return AsyncWebClient(token=token or fake.bot_token, base_url=fake.url, **kwargs)


def section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def button(**overrides: Any) -> dict[str, Any]:
    element = {
        "type": "button",
        "action_id": "qa:vote:1",
        "value": "1",
        "text": {"type": "plain_text", "text": "Vote"},
    }
    return {"type": "actions", "elements": [{**element, **overrides}]}


def modal(**overrides: Any) -> dict[str, Any]:
    return {
        "type": "modal",
        "title": {"type": "plain_text", "text": "Ask"},
        "blocks": [section("hi")],
        **overrides,
    }


def bolt_app(fake: FakeSlack, **kwargs: Any) -> AsyncApp:
    return AsyncApp(client=client_for(fake), signing_secret=SECRET, **kwargs)


# ----- Web API: auth, bodies, state ----------------------------------------------------


@pytest.mark.asyncio
async def test_tokens_map_to_workspaces_and_bad_tokens_are_refused(fake: FakeSlack) -> None:
    second = fake.api.teams["T0002"]
    assert (await client_for(fake).auth_test())["team_id"] == "T0001"
    assert (await client_for(fake, second.bot_token).auth_test())["user_id"] == second.bot_user_id
    with pytest.raises(SlackApiError) as bad:
        await client_for(fake, "xoxb-stolen").auth_test()
    assert bad.value.response["error"] == "invalid_auth"
    with pytest.raises(SlackApiError) as app_token:
        await client_for(fake, fake.app_token).chat_postMessage(channel="C1", text="x")
    assert app_token.value.response["error"] == "not_allowed_token_type"
    assert [c.team_id for c in fake.calls] == ["T0001", "T0002", None, None]


@pytest.mark.asyncio
async def test_form_and_json_bodies_are_both_understood(fake: FakeSlack) -> None:
    client = client_for(fake)
    blocks = [section("from form")]
    await client.api_call(
        "chat.postMessage", data={"channel": "C1", "text": "form", "blocks": json.dumps(blocks)}
    )
    await client.chat_postMessage(channel="C1", text="json", blocks=[section("from json")])
    first, second = fake.messages("C1")
    assert (first.text, first.blocks) == ("form", blocks)
    assert fake.calls[-1].blocks == [section("from json")]
    assert float(first.ts) < float(second.ts)


@pytest.mark.asyncio
async def test_base_url_slash_and_wrong_paths(fake: FakeSlack) -> None:
    # slack_sdk 3.48 appends the missing slash itself; a URL joined without it (older SDKs,
    # hand-built URLs) loses "/api" and must fail loudly rather than look like Slack.
    assert (await AsyncWebClient(token=fake.bot_token, base_url=fake.url.rstrip("/")).auth_test())[
        "ok"
    ]
    async with aiohttp.ClientSession() as session:
        async with session.post(urljoin(fake.url.rstrip("/"), "auth.test")) as response:
            assert response.status == 404
            assert "trailing slash" in (await response.json())["hint"]


@pytest.mark.asyncio
async def test_messages_are_stored_per_channel_and_updates_need_a_known_own_ts(
    fake: FakeSlack,
) -> None:
    client = client_for(fake)
    posted = await client.chat_postMessage(channel="C1", text="board v1")
    await client.chat_update(channel="C1", ts=posted["ts"], text="board v2")
    assert [(m.text, m.edits) for m in fake.messages("C1")] == [("board v2", 1)]
    with pytest.raises(SlackApiError, match="message_not_found"):
        await client.chat_update(channel="C2", ts=posted["ts"], text="wrong channel")
    theirs = fake.seed_message("C1", user="U0HUMAN", text="a question")
    with pytest.raises(SlackApiError, match="cant_update_message"):
        await client.chat_update(channel="C1", ts=theirs.ts, text="hijack")
    await client.chat_delete(channel="C1", ts=posted["ts"])
    assert [m.text for m in fake.messages("C1")] == ["a question"]
    with pytest.raises(SlackApiError, match="message_not_found"):
        await client.chat_delete(channel="C1", ts=posted["ts"])


@pytest.mark.asyncio
async def test_ephemeral_dm_users_and_groups(fake: FakeSlack) -> None:
    client = client_for(fake)
    fake.add_user("U0MOD", name="mod", is_admin=True)
    fake.add_usergroup("S0MODS", ["U0MOD"])
    await client.chat_postEphemeral(channel="C1", user="U0MOD", text="only you")
    assert [(e.user, e.text) for e in fake.ephemerals] == [("U0MOD", "only you")]
    assert fake.messages("C1") == []
    dm = await client.conversations_open(users="U0MOD")
    assert dm["channel"]["id"].startswith("D")
    assert (await client.conversations_open(users="U0MOD"))["channel"]["id"] == dm["channel"]["id"]
    assert (await client.users_info(user="U0MOD"))["user"]["is_admin"] is True
    assert (await client.usergroups_users_list(usergroup="S0MODS"))["users"] == ["U0MOD"]
    for call, error in (
        (client.users_info(user="U0NOBODY"), "user_not_found"),
        (client.conversations_open(users="U0NOBODY"), "user_not_found"),
        (client.usergroups_users_list(usergroup="S0NONE"), "no_such_subteam"),
    ):
        with pytest.raises(SlackApiError, match=error):
            await call


@pytest.mark.asyncio
async def test_files_upload_v2_goes_through_the_fakes_upload_url(fake: FakeSlack) -> None:
    result = await client_for(fake).files_upload_v2(
        channel="C1",
        content="q1,q2\n",
        filename="questions.csv",
        title="Export",
        initial_comment="export",
    )
    uploaded = fake.files[result["file"]["id"]]
    assert (uploaded.content, uploaded.title, uploaded.completed) == (b"q1,q2\n", "Export", True)
    [shared] = fake.messages("C1")
    assert (shared.text, shared.files[0]["id"]) == ("export", uploaded.id)
    with pytest.raises(SlackApiError, match="file_not_found"):
        await client_for(fake).files_completeUploadExternal(files=[{"id": "F404"}])


# ----- limits ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("blocks", "pointer"),
    [
        ([section("x")] * 51, "/blocks"),
        ([section("x" * 3001)], "/blocks/0/text/text"),
        (
            [{"type": "header", "text": {"type": "plain_text", "text": "h" * 151}}],
            "/blocks/0/text/text",
        ),
        ([{"type": "header", "text": {"type": "mrkdwn", "text": "*h*"}}], "/blocks/0/text/type"),
        (
            [{"type": "section", "text": {"type": "plain_text", "text": "x", "verbatim": True}}],
            "/blocks/0/text/verbatim",
        ),
        ([button(text={"type": "plain_text", "text": "b" * 76})], "/blocks/0/elements/0/text/text"),
        ([button(action_id="a" * 256)], "/blocks/0/elements/0/action_id"),
        ([button(value="v" * 2001)], "/blocks/0/elements/0/value"),
        ([{**section("x"), "block_id": "b" * 256}], "/blocks/0/block_id"),
        (
            [{**section("x"), "block_id": "same"}, {**section("y"), "block_id": "same"}],
            "/blocks/1/block_id",
        ),
        ([{"type": "section", "text": {"type": "mrkdwn", "text": ""}}], "/blocks/0/text/text"),
    ],
)
def test_message_block_limits(blocks: list[Any], pointer: str) -> None:
    rejection = check_message(text="fallback", blocks=blocks)
    assert rejection is not None and rejection.error == "invalid_blocks"
    assert [p.pointer for p in rejection.problems] == [pointer]


def test_message_limits_at_the_boundary_pass() -> None:
    blocks = [section("x" * 3000)] * 49 + [button(value="v" * 2000, action_id="a" * 255)]
    assert check_message(text="t" * 40_000, blocks=blocks) is None
    assert check_message(text="t" * 40_001, blocks=None).error == "msg_too_long"  # type: ignore[union-attr]
    assert check_message(text="", blocks=[]).error == "no_text"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("view", "pointer"),
    [
        (modal(title={"type": "plain_text", "text": "t" * 25}), "/view/title/text"),
        (modal(private_metadata="m" * 3001), "/view/private_metadata"),
        (modal(blocks=[section("x")] * 101), "/view/blocks"),
        (modal(submit={"type": "mrkdwn", "text": "Go"}), "/view/submit/type"),
    ],
)
def test_view_limits(view: dict[str, Any], pointer: str) -> None:
    rejection = check_view(view)
    assert rejection is not None and rejection.error == "invalid_arguments"
    assert pointer in [p.pointer for p in rejection.problems]


def test_modal_and_home_take_100_blocks() -> None:
    assert check_view(modal(blocks=[section("x")] * 100, private_metadata="m" * 3000)) is None
    assert check_view({"type": "home", "blocks": [section("x")] * 100}) is None


@pytest.mark.asyncio
async def test_limit_errors_reach_the_client_like_slacks(fake: FakeSlack) -> None:
    client = client_for(fake)
    with pytest.raises(SlackApiError) as err:
        await client.chat_postMessage(channel="C1", text="x", blocks=[section("x" * 3001)])
    assert err.value.response["error"] == "invalid_blocks"
    assert err.value.response["response_metadata"]["messages"] == [
        "[ERROR] must be less than 3001 characters [json-pointer:/blocks/0/text/text]"
    ]
    with pytest.raises(SlackApiError, match="msg_too_long"):
        await client.chat_postMessage(channel="C1", text="x" * 40_001)
    assert fake.messages("C1") == []
    assert [c.error for c in fake.calls] == ["invalid_blocks", "msg_too_long"]


# ----- mention scanning ------------------------------------------------------------------


@pytest.mark.asyncio
async def test_unescaped_mentions_in_outgoing_payloads_are_caught(fake: FakeSlack) -> None:
    client = client_for(fake)
    await client.chat_postMessage(channel="C1", text="Q from <@U0ASKER>: &lt;!channel&gt; help")
    await client.chat_postMessage(
        channel="C1",
        text="x",
        blocks=[{"type": "header", "text": {"type": "plain_text", "text": "<!here> literal"}}],
    )
    fake.assert_no_unescaped_mentions(allow={"<@U0ASKER>"})
    await client.chat_postMessage(
        channel="C1", text="x", blocks=[section("see <https://evil.example|docs.python.org>")]
    )
    with pytest.raises(AssertionError, match="evil.example"):
        fake.assert_no_unescaped_mentions(allow={"<@U0ASKER>"})


def test_mention_patterns() -> None:
    tokens = [
        h.token
        for h in find_unescaped_mentions(
            {"text": "<!channel> <!here|here> <!everyone> <!subteam^S1|mods> <@W2>"}
        )
    ]
    assert tokens == ["<!channel>", "<!here|here>", "<!everyone>", "<!subteam^S1|mods>", "<@W2>"]
    assert (
        find_unescaped_mentions(
            {"text": "<https://example.com> <#C1> <!date^1|x> &lt;!channel&gt;"}
        )
        == []
    )
    assert find_unescaped_mentions({"value": "<!channel>", "private_metadata": "<!here>"}) == []


# ----- views ----------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_views_need_fresh_single_use_triggers(fake: FakeSlack) -> None:
    client = client_for(fake)
    trigger = fake.api.new_trigger_id("T0001", "U0001")
    opened = await client.views_open(trigger_id=trigger, view=modal(private_metadata="q:1"))
    assert fake.views[opened["view"]["id"]].body["private_metadata"] == "q:1"
    with pytest.raises(SlackApiError, match="exchanged_trigger_id"):
        await client.views_open(trigger_id=trigger, view=modal())
    with pytest.raises(SlackApiError, match="invalid_trigger_id"):
        await client.views_open(trigger_id="1.2.made-up", view=modal())
    with pytest.raises(SlackApiError, match="invalid_arguments"):
        await client.views_open(
            trigger_id=fake.api.new_trigger_id("T0001", "U0001"),
            view=modal(title={"type": "plain_text", "text": "t" * 25}),
        )


@pytest.mark.asyncio
async def test_trigger_expires_after_three_seconds() -> None:
    clock = Clock()
    async with FakeSlack(clock=clock) as fake:
        trigger = fake.api.new_trigger_id("T0001", "U0001")
        clock.now += 3.5
        with pytest.raises(SlackApiError, match="expired_trigger_id"):
            await client_for(fake).views_open(trigger_id=trigger, view=modal())


@pytest.mark.asyncio
async def test_view_stack_update_hash_and_home(fake: FakeSlack) -> None:
    client = client_for(fake)

    def trigger() -> str:
        return fake.api.new_trigger_id("T0001", "U0001")

    root = (await client.views_open(trigger_id=trigger(), view=modal()))["view"]
    await client.views_push(trigger_id=trigger(), view=modal())
    pushed = (await client.views_push(trigger_id=trigger(), view=modal()))["view"]
    assert (pushed["root_view_id"], pushed["previous_view_id"] is not None) == (root["id"], True)
    with pytest.raises(SlackApiError, match="push_limit_reached"):
        await client.views_push(trigger_id=trigger(), view=modal())
    updated = await client.views_update(
        view_id=root["id"], hash=root["hash"], view=modal(callback_id="v2")
    )
    with pytest.raises(SlackApiError, match="hash_conflict"):
        await client.views_update(view_id=root["id"], hash=root["hash"], view=modal())
    assert updated["view"]["callback_id"] == "v2"
    with pytest.raises(SlackApiError, match="not_found"):
        await client.views_update(view_id="V404", view=modal())
    await client.views_publish(user_id="U0001", view={"type": "home", "blocks": [section("home")]})
    assert fake.home_view("U0001").body["blocks"] == [section("home")]  # type: ignore[union-attr]


# ----- rate limits ------------------------------------------------------------------------


def test_tier3_window_and_channel_bucket_with_a_fake_clock() -> None:
    clock = Clock()
    limiter = RateLimiter(RateLimitPolicy(channel_burst=2), clock=clock)
    assert all(limiter.check("chat.update", "T1") is None for _ in range(TIER_3))
    assert limiter.check("chat.update", "T1") == 60
    assert limiter.check("chat.update", "T2") is None  # per workspace
    clock.now += 60
    assert limiter.check("chat.update", "T1") is None
    assert [limiter.check("chat.postMessage", "T1", "C1") for _ in range(3)] == [None, None, 1]
    assert limiter.check("chat.postMessage", "T1", "C2") is None  # per channel
    clock.now += 1
    assert limiter.check("chat.postMessage", "T1", "C1") is None


@pytest.mark.asyncio
async def test_burst_on_one_channel_gets_429_with_retry_after(fake: FakeSlack) -> None:
    client = client_for(fake)
    for _ in range(3):
        await client.chat_postMessage(channel="C1", text="burst")
    with pytest.raises(SlackApiError) as err:
        await client.chat_postMessage(channel="C1", text="one too many")
    assert err.value.response.status_code == 429
    assert err.value.response["error"] == "ratelimited"
    assert int(err.value.response.headers["Retry-After"]) >= 1
    assert len(fake.messages("C1")) == 3


@pytest.mark.asyncio
async def test_scripted_429_is_honoured_by_the_sdk_retry_handler(
    fake: FakeSlack, monkeypatch: pytest.MonkeyPatch
) -> None:
    waits: list[float] = []

    async def recorded_sleep(seconds: float) -> None:
        waits.append(seconds)

    # Observe the wait the real handler computes instead of spending it, and pin its jitter.
    monkeypatch.setattr(builtin_async_handlers, "asyncio", SimpleNamespace(sleep=recorded_sleep))
    monkeypatch.setattr(builtin_async_handlers, "random", SimpleNamespace(random=lambda: 0.0))
    fake.rate_limits.fail_next("chat.update", 2, retry_after=7)
    client = client_for(fake, retry_handlers=[AsyncRateLimitErrorRetryHandler(max_retry_count=2)])
    posted = await client.chat_postMessage(channel="C1", text="v1")
    await client.chat_update(channel="C1", ts=posted["ts"], text="v2")
    assert [(c.status, c.error) for c in fake.calls_to("chat.update")] == [
        (429, "ratelimited")
    ] * 2 + [(200, None)]
    assert waits == [7, 7]
    assert fake.messages("C1")[0].text == "v2"


@pytest.mark.asyncio
async def test_without_a_retry_handler_429_surfaces_as_an_error(fake: FakeSlack) -> None:
    fake.rate_limits.fail_next("views.publish", retry_after=30, team_id="T0002")
    home = {"type": "home", "blocks": [section("home")]}
    await client_for(fake).views_publish(user_id="U1", view=home)  # other team: not scripted
    with pytest.raises(SlackApiError) as err:
        await client_for(fake, fake.api.teams["T0002"].bot_token).views_publish(
            user_id="U1", view=home
        )
    assert (err.value.response.status_code, err.value.response.headers["Retry-After"]) == (
        429,
        "30",
    )


# ----- signed requests and Bolt dispatch ---------------------------------------------------


def test_signature_matches_slack_sdk_verifier() -> None:
    factory = SlackRequestFactory(signing_secret=SECRET)
    request = factory.slash_command("/ask", "why?")
    headers = request.headers
    verifier = SignatureVerifier(SECRET)
    assert verifier.is_valid(
        request.body, headers["X-Slack-Request-Timestamp"], headers["X-Slack-Signature"]
    )
    assert headers["X-Slack-Signature"] == signature(
        SECRET, headers["X-Slack-Request-Timestamp"], request.body
    )
    bad = request.with_bad_signature().headers
    assert not verifier.is_valid(
        request.body, bad["X-Slack-Request-Timestamp"], bad["X-Slack-Signature"]
    )


@pytest.mark.asyncio
async def test_bolt_dispatches_a_signed_slash_command_to_the_fake(fake: FakeSlack) -> None:
    app = bolt_app(fake)

    @app.command("/ask")
    async def ask(ack: AsyncAck, command: dict[str, Any], say: AsyncSay) -> None:
        await ack("Got it")
        await say(f"Question: {command['text']}")

    factory = fake.request_factory()
    response = await app.async_dispatch(
        factory.slash_command("/ask", "why?", channel_id="C9").to_async_bolt_request()
    )
    assert (response.status, response.body) == (200, "Got it")
    [call] = await fake.wait_for_call("chat.postMessage")
    assert (call.team_id, call.params["channel"], call.params["text"]) == (
        "T0001",
        "C9",
        "Question: why?",
    )
    bad = await app.async_dispatch(
        factory.slash_command("/ask", "x").with_bad_signature().to_async_bolt_request()
    )
    stale = await app.async_dispatch(
        factory.stale(factory.slash_command("/ask", "x")).to_async_bolt_request()
    )
    assert (bad.status, stale.status) == (401, 401)
    assert len(fake.calls_to("chat.postMessage")) == 1


@pytest.mark.asyncio
async def test_button_click_respond_replaces_the_original_message(fake: FakeSlack) -> None:
    app = bolt_app(fake)
    board = await client_for(fake).chat_postMessage(channel="C1", text="0 votes", blocks=[button()])

    @app.action("qa:vote:1")
    async def vote(ack: AsyncAck, body: dict[str, Any], respond: AsyncRespond) -> None:
        await ack()
        await respond(replace_original=True, text=f"1 vote by {body['user']['id']}")

    click = fake.request_factory().block_actions(
        "qa:vote:1", "1", user_id="U0VOTER", channel_id="C1", message_ts=board["ts"]
    )
    assert (await app.async_dispatch(click.to_async_bolt_request())).status == 200
    await _until(lambda: fake.responses)
    [post] = fake.responses
    assert (post.replace_original, post.user_id, post.status) == (True, "U0VOTER", 200)
    [message] = fake.messages("C1")
    assert (message.ts, message.text, message.edits) == (board["ts"], "1 vote by U0VOTER", 1)


@pytest.mark.asyncio
async def test_response_url_in_channel_and_ephemeral(fake: FakeSlack) -> None:
    app = bolt_app(fake)

    @app.command("/ask")
    async def ask(ack: AsyncAck, respond: AsyncRespond) -> None:
        await ack()
        await respond("only you see this")
        await respond(response_type="in_channel", text="everyone sees this")

    await app.async_dispatch(
        fake.request_factory().slash_command("/ask", channel_id="C1").to_async_bolt_request()
    )
    await _until(lambda: len(fake.responses) == 2)
    assert [r.response_type for r in fake.responses] == ["ephemeral", "in_channel"]
    assert [e.text for e in fake.ephemerals] == ["only you see this"]
    assert [m.text for m in fake.messages("C1")] == ["everyone sees this"]


@pytest.mark.asyncio
async def test_response_url_limits(fake: FakeSlack) -> None:
    webhook = AsyncWebhookClient(fake.api.new_response_url("T0001", "C1", "U1"))
    bad = await webhook.send(text="x", blocks=[section("x" * 3001)])
    assert (bad.status_code, json.loads(bad.body)["error"]) == (400, "invalid_blocks")
    statuses = [(await webhook.send(text=f"reply {i}")).status_code for i in range(5)]
    assert statuses == [200] * 4 + [404]  # five uses, the refused one counted
    forged = await AsyncWebhookClient(f"{fake.root_url}/response/T0001/0000").send(text="x")
    assert forged.status_code == 404
    assert len(fake.ephemerals) == 4


@pytest.mark.asyncio
async def test_view_submission_and_event_retry_headers(fake: FakeSlack) -> None:
    app = bolt_app(fake)
    seen: dict[str, Any] = {}

    @app.view("ask-modal")
    async def submitted(ack: AsyncAck, view: dict[str, Any]) -> None:
        seen["question"] = view["state"]["values"]["q"]["text"]["value"]
        seen["metadata"] = view["private_metadata"]
        await ack()

    @app.event("app_mention")
    async def mentioned(ack: AsyncAck, event: dict[str, Any], context: Any, request: Any) -> None:
        await ack()
        seen["retry"] = (
            request.headers.get("x-slack-retry-num"),
            request.headers.get("x-slack-retry-reason"),
        )

    factory = fake.request_factory()
    submission = factory.view_submission(
        "ask-modal", {"q": {"text": "How?"}}, private_metadata="session:7"
    )
    assert (await app.async_dispatch(submission.to_async_bolt_request())).status == 200
    event = factory.event(
        {"type": "app_mention", "text": "<@U0BOTT0001> hi", "user": "U1", "channel": "C1"},
        retry_num=1,
        retry_reason="http_timeout",
    )
    assert (await app.async_dispatch(event.to_async_bolt_request())).status == 200
    await _until(lambda: "retry" in seen)
    assert seen == {"question": "How?", "metadata": "session:7", "retry": (["1"], ["http_timeout"])}


@pytest.mark.asyncio
async def test_a_click_opens_a_modal_with_its_trigger(fake: FakeSlack) -> None:
    app = bolt_app(fake)

    @app.action("qa:ask")
    async def open_modal(ack: AsyncAck, body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        await client.views_open(trigger_id=body["trigger_id"], view=modal(callback_id="ask-modal"))

    click = fake.request_factory().block_actions("qa:ask", message_ts="1.000001")
    await app.async_dispatch(click.to_async_bolt_request())
    [call] = await fake.wait_for_call("views.open")
    assert call.ok and call.view is not None and call.view["callback_id"] == "ask-modal"


# ----- Socket Mode -----------------------------------------------------------------------------


@pytest.mark.asyncio
async def test_socket_mode_slash_command_click_and_event(fake: FakeSlack) -> None:
    app = AsyncApp(client=client_for(fake))
    retries: list[Any] = []

    @app.command("/ask")
    async def ask(ack: AsyncAck) -> None:
        await ack(text="Question received")

    @app.action("qa:vote:1")
    async def vote(ack: AsyncAck) -> None:
        await ack()

    @app.event("app_mention")
    async def mentioned(ack: AsyncAck, request: Any) -> None:
        await ack()
        retries.append(request.headers.get("x-slack-retry-num"))

    handler = AsyncSocketModeHandler(app, fake.app_token)
    await handler.connect_async()  # type: ignore[no-untyped-call]  # untyped in slack_bolt
    try:
        await fake.socket_mode.wait_connected()
        factory = fake.request_factory()
        command_ack = await fake.socket_mode.deliver(factory.slash_command("/ask", "why?"))
        click_ack = await fake.socket_mode.deliver(
            factory.block_actions("qa:vote:1", "1", message_ts="1.000001")
        )
        event = factory.event(
            {"type": "app_mention", "text": "hi", "user": "U1", "channel": "C1"},
            retry_num=2,
            retry_reason="timeout",
        )
        event_ack = await fake.socket_mode.deliver(event)
        await _until(lambda: retries)
    finally:
        await handler.close_async()  # type: ignore[no-untyped-call]  # untyped in slack_bolt
    assert command_ack.payload == {"text": "Question received"}
    assert click_ack.payload is None and event_ack.payload is None
    assert retries == [["2"]]
    assert len(fake.calls_to("apps.connections.open", ok=True)) == 1
    assert fake.socket_mode.sent[-1]["retry_reason"] == "timeout"


@pytest.mark.asyncio
async def test_socket_mode_hello_then_reconnect_after_disconnect(fake: FakeSlack) -> None:
    app = AsyncApp(client=client_for(fake))
    seen: list[str] = []

    async def record(_client: Any, message: dict[str, Any], _raw: str | None) -> None:
        seen.append(message.get("type", ""))

    @app.command("/ask")
    async def ask(ack: AsyncAck) -> None:
        await ack()

    handler = AsyncSocketModeHandler(app, fake.app_token)
    handler.client.message_listeners.append(record)
    await handler.connect_async()  # type: ignore[no-untyped-call]  # untyped in slack_bolt
    try:
        await fake.socket_mode.wait_connected()
        await _until(lambda: seen == ["hello"])
        await fake.socket_mode.disconnect()
        await _until(lambda: fake.socket_mode.connection_count == 2 and fake.socket_mode.connected)
        ack = await fake.socket_mode.deliver(fake.request_factory().slash_command("/ask"))
    finally:
        await handler.close_async()  # type: ignore[no-untyped-call]  # untyped in slack_bolt
    assert ack.payload is None
    # slack_sdk handles "disconnect" itself (reconnects) before any message listener runs.
    assert seen == ["hello", "hello", "slash_commands"]
    assert len(fake.calls_to("apps.connections.open", ok=True)) == 2


# ----- HTTP mode and OAuth -------------------------------------------------------------------


@pytest.mark.asyncio
async def test_bolt_aiohttp_server_takes_signed_posts(fake: FakeSlack) -> None:
    app = bolt_app(fake)

    @app.command("/ask")
    async def ask(ack: AsyncAck, say: AsyncSay) -> None:
        await ack()
        await say("on it")

    factory = fake.request_factory()
    async with BoltHttpServer(app) as server:
        ok = await server.post(factory.slash_command("/ask", "hi"))
        bad = await server.post(factory.slash_command("/ask", "hi").with_bad_signature())
        stale = await server.post(factory.stale(factory.slash_command("/ask", "hi")))
    assert (ok.status, bad.status, stale.status) == (200, 401, 401)
    await fake.wait_for_call("chat.postMessage")


@pytest.mark.asyncio
async def test_oauth_install_then_the_new_workspace_is_served(
    fake: FakeSlack, tmp_path: Path
) -> None:
    newcomer = fake.add_team("T0NEW", name="Newcomer")
    settings = AsyncOAuthSettings(
        client_id=fake.api.oauth.client_id,
        client_secret=fake.api.oauth.client_secret,
        scopes=["commands", "chat:write"],
        installation_store=FileInstallationStore(base_dir=str(tmp_path / "installations")),
        state_store=FileOAuthStateStore(expiration_seconds=300, base_dir=str(tmp_path / "states")),
    )
    app = AsyncApp(
        signing_secret=SECRET, client=AsyncWebClient(base_url=fake.url), oauth_settings=settings
    )

    @app.command("/ask")
    async def ask(ack: AsyncAck, say: AsyncSay) -> None:
        await ack()
        await say("hello newcomer")

    async with BoltHttpServer(app) as server:
        installed = await server.install(fake, "T0NEW")
        assert installed.callback.status == 200, installed.callback.body
        assert "state=" in installed.authorize_url and installed.state
        replay = await server.get(f"/slack/oauth_redirect?code=reused&state={installed.state}")
        assert replay.status == 400  # no state cookie: Bolt refuses ("invalid_browser")
        ok = await server.post(
            fake.request_factory(team_id="T0NEW").slash_command("/ask", channel_id="C1")
        )
    assert ok.status == 200
    [post] = await fake.wait_for_call("chat.postMessage")
    assert post.team_id == "T0NEW"
    assert fake.messages("C1", team_id="T0NEW")[0].user == newcomer.bot_user_id
    assert [c.method for c in fake.calls if c.method.startswith("oauth")] == ["oauth.v2.access"]


# ----- sync clients ------------------------------------------------------------------------------


@pytest.fixture
def threaded_fake() -> Iterator[FakeSlack]:
    with FakeSlack(signing_secret=SECRET).serving_in_thread() as server:
        yield server


def test_sync_web_client_and_sync_bolt_app(threaded_fake: FakeSlack) -> None:
    fake = threaded_fake
    client = WebClient(token=fake.bot_token, base_url=fake.url)
    assert client.chat_postMessage(channel="C1", text="sync")["ok"]
    app = App(client=client, signing_secret=SECRET, token_verification_enabled=False)

    @app.command("/ask")
    def ask(ack: Any, say: Any) -> None:
        ack()
        say("sync reply")

    response = app.dispatch(
        fake.request_factory().slash_command("/ask", channel_id="C1").to_bolt_request()
    )
    assert response.status == 200
    fake.wait_for_call_blocking("chat.postMessage", count=2)
    assert [m.text for m in fake.messages("C1")] == ["sync", "sync reply"]


async def _until(condition: Any, timeout: float = 2.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        assert asyncio.get_running_loop().time() < deadline, "condition not met in time"
        await asyncio.sleep(0.005)
