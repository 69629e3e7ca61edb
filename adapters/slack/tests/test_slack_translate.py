"""Pure tests of translate: ids, slash text, modal state, roles, idempotency keys."""

from __future__ import annotations

from typing import Any

import pytest
from qa_core_slack import translate as t
from qa_core_slack.text import escape, fit, fit_escaped, readable

from qa_core import (
    ApproveQuestion,
    CastVote,
    ConfigureTenant,
    MergeQuestions,
    ModerationMode,
    NextQuestion,
    PinQuestion,
    RejectQuestion,
    RejectReason,
    Role,
    SubmitQuestion,
    TenantSettings,
)


@pytest.mark.parametrize(
    ("action_id", "value", "expected"),
    [
        ("qa:vote:12", "12", t.Click(t.Verb.VOTE, 12)),
        ("qa:approve:7", None, t.Click(t.Verb.APPROVE, 7)),
        ("qa:next:3", "3", t.Click(t.Verb.NEXT, 3)),
    ],
)
def test_component_ids_round_trip(action_id: str, value: str | None, expected: t.Click) -> None:
    assert t.parse_action(action_id, value) == expected
    assert t.action_id(expected.verb, expected.target) == action_id


@pytest.mark.parametrize(
    ("action_id", "value"),
    [
        ("qa:vote:12", "13"),
        ("qa:vote:012", "012"),
        ("qa:vote:0", "0"),
        ("qa:vote:-1", "-1"),
        ("qa:vote:1:extra", "1"),
        ("qa:VOTE:1", "1"),
        ("qa:delete:1", "1"),
        ("qa:vote:" + "1" * 16, "1" * 16),
        (" qa:vote:1", "1"),
        ("qa:vote:1\n", "1"),
        (None, "1"),
        (12, "12"),
        ("x" * 300, None),
    ],
)
def test_forged_component_ids_are_refused(action_id: Any, value: Any) -> None:
    with pytest.raises(t.BadInput):
        t.parse_action(action_id, value)


def test_clicks_become_commands() -> None:
    key = "k"
    assert t.click_command(t.Click(t.Verb.VOTE, 1), key=key) == CastVote(
        question_id=1, up=True, idempotency_key=key
    )
    assert t.click_command(t.Click(t.Verb.UNVOTE, 1), key=key) == CastVote(
        question_id=1, up=False, idempotency_key=key
    )
    assert isinstance(t.click_command(t.Click(t.Verb.APPROVE, 1), key=key), ApproveQuestion)
    assert t.click_command(t.Click(t.Verb.UNPIN, 2), key=key) == PinQuestion(
        question_id=2, pinned=False, idempotency_key=key
    )
    assert isinstance(t.click_command(t.Click(t.Verb.NEXT, 2), key=key), NextQuestion)
    for verb in (t.Verb.REJECT, t.Verb.EDIT, t.Verb.MERGE, t.Verb.ASK):
        assert t.click_command(t.Click(verb, 1), key=key) is None  # a modal first


def _click_body(ts: str, blocks: list[Any], trigger: str) -> dict[str, Any]:
    return {
        "trigger_id": trigger,
        "container": {"type": "message", "message_ts": ts},
        "message": {"ts": ts, "blocks": blocks},
    }


def test_a_double_click_has_one_key_and_a_click_on_a_new_rendering_another() -> None:
    action = {"action_id": "qa:approve:1", "action_ts": "1.1"}
    first = t.click_key(_click_body("1.0", [{"a": 1}], "t1"), action, "U1")
    again = t.click_key(_click_body("1.0", [{"a": 1}], "t2"), {**action, "action_ts": "1.2"}, "U1")
    changed = t.click_key(_click_body("1.0", [{"a": 2}], "t3"), action, "U1")
    other_user = t.click_key(_click_body("1.0", [{"a": 1}], "t4"), action, "U2")
    assert first == again
    assert len({first, changed, other_user}) == 3


def test_slash_command_parsing() -> None:
    created = t.parse_ama(
        "create Ask &lt;Gil&gt; anything | Thirty years | <@U0GUEST|gil> <@U0TWO>"
    )
    assert created.verb is t.Ama.CREATE
    assert (created.title, created.intro, created.guests) == (
        "Ask <Gil> anything",
        "Thirty years",
        ("U0GUEST", "U0TWO"),
    )
    scheduled = t.parse_ama("schedule 2026-12-01T18:00Z Later | soon")
    assert scheduled.when is not None and scheduled.when.hour == 18 and scheduled.title == "Later"
    assert t.parse_ama("").verb is t.Ama.HELP
    assert t.parse_ama("ASK why &amp; how?").text == "why & how?"
    settings = t.parse_ama("settings moderators <@U0A|a> <@U0B|b>")
    assert settings.values == ("U0A", "U0B")
    assert t.parse_ama("settings moderator-group <!subteam^S0MODS|@mods>").values == ("S0MODS",)
    assert t.parse_ama("settings mod-channel <#C0MODS|mods>").values == ("C0MODS",)
    assert t.parse_ama("settings moderators none").values == ()
    for bad in (
        "frobnicate",
        "create",
        "schedule tomorrow Title",
        "settings colour blue",
        "settings moderators nobody",
    ):
        with pytest.raises(t.BadInput):
            t.parse_ama(bad)


def test_settings_become_configure_tenant() -> None:
    current = TenantSettings()
    command = t.configure_command(
        t.parse_ama("settings moderation post"), "slack:T1", current, key="k"
    )
    assert isinstance(command, ConfigureTenant)
    assert command.defaults is not None and command.defaults.moderation is ModerationMode.POST
    cleared = t.configure_command(
        t.parse_ama("settings mod-channel none"), "slack:T1", current, key="k"
    )
    assert cleared.options == (("mod_channel", None),)
    with pytest.raises(t.BadInput):
        t.configure_command(
            t.parse_ama("settings moderation sometimes"), "slack:T1", current, key="k"
        )


def test_the_ama_channel_is_a_channel_setting() -> None:
    current = TenantSettings()
    request = t.parse_ama("settings ama-channel <#C0AMA|ama>")
    assert request.values == ("C0AMA",)
    command = t.configure_command(request, "slack:T1", current, key="k")
    assert command.options == (("ama_channel", "C0AMA"),) and command.defaults is None
    cleared = t.configure_command(
        t.parse_ama("settings ama-channel off"), "slack:T1", current, key="k"
    )
    assert cleared.options == (("ama_channel", None),)
    with pytest.raises(t.BadInput, match="ama-channel"):
        t.parse_ama("settings ama-channel <@U0A|a>")  # a person is not a channel
    assert "ama-channel" in t.HELP


def _view(metadata: str, values: dict[str, Any]) -> dict[str, Any]:
    return {"id": "V1", "hash": "h", "private_metadata": metadata, "state": {"values": values}}


def test_modal_submissions() -> None:
    ask = t.ask_submission(
        _view(
            "4",
            {
                "question": {"question": {"type": "plain_text_input", "value": "Why?"}},
                "anonymous": {"anonymous": {"selected_options": [{"value": "anonymous"}]}},
            },
        ),
        key="k",
    )
    assert ask == SubmitQuestion(session_id=4, text="Why?", anonymous=True, idempotency_key="k")
    reject = t.reject_command(
        _view("9", {"reason": {"reason": {"selected_option": {"value": "spam"}}}}), key="k"
    )
    assert reject == RejectQuestion(question_id=9, reason=RejectReason.SPAM, idempotency_key="k")
    merge = t.merge_command(
        _view("9", {"into": {"into": {"selected_option": {"value": "3"}}}}), key="k"
    )
    assert merge == MergeQuestions(duplicate_id=9, into_id=3, idempotency_key="k")
    for bad in (
        _view("9; drop", {}),
        _view("", {}),
        _view("9", {"reason": {"reason": {"selected_option": {"value": "because"}}}}),
    ):
        with pytest.raises(t.BadInput):
            t.reject_command(bad, key="k")
    with pytest.raises(t.BadInput):
        t.merge_command(
            _view("9", {"into": {"into": {"selected_option": {"value": "x"}}}}), key="k"
        )


def test_roles_come_from_admin_flags_and_the_tenants_options() -> None:
    settings = TenantSettings().with_options({"moderators": "U0MOD,U0TWO"})
    assert t.roles_for("U1", {"is_admin": True}, settings) == {Role.HOST, Role.PARTICIPANT}
    assert t.roles_for("U1", {"is_owner": True}, settings) == {Role.HOST, Role.PARTICIPANT}
    assert t.roles_for("U0MOD", {}, settings) == {Role.MODERATOR, Role.PARTICIPANT}
    assert t.roles_for("U3", None, settings, ["U3"]) == {Role.MODERATOR, Role.PARTICIPANT}
    assert t.roles_for("U4", None, settings) == {Role.PARTICIPANT}
    assert t.display_name({"profile": {"display_name": "  Ann "}}, "x") == "Ann"
    assert t.display_name(None, "fallback") == "fallback"


def test_ids_must_look_like_slack_ids() -> None:
    assert t.user_ref("T0001", "U0001").tenant == "slack:T0001"
    for team, user in (("", "U1"), ("T1/../x", "U1"), ("T1", "U1 or 1"), ("T1", "")):
        with pytest.raises(t.BadInput):
            t.user_ref(team, user)


def test_escaping_and_fitting() -> None:
    assert escape("<!channel> & <@U1>") == "&lt;!channel&gt; &amp; &lt;@U1&gt;"
    assert fit("abcdef", 10) == "abcdef"
    cut = fit("x" * 5000, 3000)
    assert len(cut) == 3000 and cut.endswith("(truncated)")
    escaped = fit_escaped("a" * 2980 + "&&&&&&&&", 3000)
    assert len(escaped) <= 3000 and escaped.endswith("(truncated)")
    assert "&am " not in escaped and not escaped.replace(" … (truncated)", "").endswith(
        ("&", "&a", "&am", "&amp")
    )


def test_readable_turns_slack_markup_into_what_was_typed() -> None:
    assert readable("hi <@U1|ann> in <#C1|general> cc <!channel> <!subteam^S1|@mods>") == (
        "hi @ann in #general cc @channel @mods"
    )
    assert readable("see <https://evil.example|docs.python.org>") == (
        "see docs.python.org (https://evil.example)"
    )
    assert readable("a &lt;b&gt; &amp;lt;") == "a <b> &lt;"


def test_vote_keys_are_per_click() -> None:
    body = _click_body("1.0", [{"a": 1}], "t1")
    vote = {"action_id": "qa:vote:1", "action_ts": "1.1"}
    assert t.click_key(body, vote, "U1") == t.click_key(body, dict(vote), "U1")  # a redelivery
    assert t.click_key(body, vote, "U1") != t.click_key(body, {**vote, "action_ts": "1.2"}, "U1")
