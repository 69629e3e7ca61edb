"""translate: Discord input → commands. Pure; no bot, no fake."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from qa_core_discord import translate as t

from qa_core import (
    ApproveQuestion,
    CastVote,
    ConfigureTenant,
    EditQuestion,
    InvalidInput,
    MergeQuestions,
    ModerationMode,
    NextQuestion,
    PinQuestion,
    RejectQuestion,
    RejectReason,
    Role,
    Session,
    SessionState,
    SubmitQuestion,
    TenantSettings,
    UserRef,
)
from qa_core import Person as QaPerson

KEY = "discord-interaction:1"
P = Role.PARTICIPANT


# -- custom ids -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("custom_id", "parsed"),
    [
        ("qa:vote:42", t.ComponentId("vote", (42,))),
        ("qa:mergeinto:3:1", t.ComponentId("mergeinto", (3, 1))),
        ("qa:m:ask:7", t.ComponentId("ask", (7,), modal=True)),
        ("qa:m:asknow:81384788765712384", t.ComponentId("asknow", (81384788765712384,), True)),
        (f"qa:vote:{2**63 - 1}", t.ComponentId("vote", (2**63 - 1,))),
    ],
)
def test_custom_ids_round_trip(custom_id: str, parsed: t.ComponentId) -> None:
    assert t.parse_custom_id(custom_id) == parsed
    assert parsed.render() == custom_id


@pytest.mark.parametrize(
    "custom_id",
    [
        None,
        42,
        "",
        "qa",
        "qa:vote",
        "qa:vote:",
        "qa:vote:0",
        "qa:vote:007",
        "qa:vote:-1",
        "qa:vote:1.5",
        "qa:vote:１２",  # full-width digits are digits to str.isdigit, not to us
        f"qa:vote:{2**63}",
        "qa:vote:1:2",
        "qa:mergeinto:1",
        "qa:VOTE:1",
        "qa:m:vote:1",
        "qa:m:ask",
        "xx:vote:1",
        "qa:vote:1\n",
        "qa:vote:" + "1" * 120,
    ],
)
def test_malformed_custom_ids_are_refused(custom_id: object) -> None:
    with pytest.raises(InvalidInput):
        t.parse_custom_id(custom_id)


def test_button_ids_are_checked_when_built() -> None:
    assert t.button_id("vote", 5) == "qa:vote:5"
    with pytest.raises(InvalidInput):
        t.button_id("vote", 0)
    with pytest.raises(InvalidInput):
        t.button_id("nope", 1)


@pytest.mark.parametrize(
    ("custom_id", "command"),
    [
        ("qa:vote:4", CastVote(question_id=4, up=None, idempotency_key=KEY)),
        ("qa:approve:4", ApproveQuestion(question_id=4, idempotency_key=KEY)),
        ("qa:pin:4", PinQuestion(question_id=4, pinned=True, idempotency_key=KEY)),
        ("qa:unpin:4", PinQuestion(question_id=4, pinned=False, idempotency_key=KEY)),
        ("qa:mergeinto:4:2", MergeQuestions(duplicate_id=4, into_id=2, idempotency_key=KEY)),
        ("qa:next:9", NextQuestion(session_id=9, idempotency_key=KEY)),
    ],
)
def test_clicks_become_commands_carrying_their_key(custom_id: str, command: object) -> None:
    assert t.click_command(t.parse_custom_id(custom_id), KEY) == command


SEEN = t.SeenMessage(77, None, ["", [{"title": "#1 · alice"}], [{"type": 1}]])


def test_a_double_click_is_one_key_whatever_the_interaction_ids() -> None:
    first = t.click_key(5, "qa:vote:1", SEEN, interaction_id=100)
    assert first.startswith("discord-click:")
    assert t.click_key(5, "qa:vote:1", SEEN, interaction_id=101) == first
    copy = t.SeenMessage(77, None, ["", [{"title": "#1 · alice"}], [{"type": 1}]])
    assert t.click_key(5, "qa:vote:1", copy, interaction_id=100) == first  # a redelivery


@pytest.mark.parametrize(
    "other",
    [
        (6, "qa:vote:1", SEEN),  # another person
        (5, "qa:pin:1", SEEN),  # another button
        (5, "qa:vote:1", t.SeenMessage(78, None, SEEN.shown)),  # another message
        (5, "qa:vote:1", t.SeenMessage(77, "2026-11-25T06:00:00.123456+00:00", SEEN.shown)),
        (5, "qa:vote:1", t.SeenMessage(77, None, ["", [{"title": "#1 · bob"}], [{"type": 1}]])),
    ],
)
def test_a_new_rendering_person_or_button_is_a_new_click(
    other: tuple[int, str, t.SeenMessage],
) -> None:
    assert t.click_key(*other, interaction_id=100) != t.click_key(
        5, "qa:vote:1", SEEN, interaction_id=100
    )


def test_a_click_without_its_message_is_keyed_by_its_interaction() -> None:
    assert t.click_key(5, "qa:vote:1", None, interaction_id=100) == t.interaction_key(100)
    assert t.interaction_key(100) == "discord-interaction:100"


@pytest.mark.parametrize("custom_id", ["qa:ask:1", "qa:reject:1", "qa:edit:1", "qa:answer:1"])
def test_form_buttons_open_modals_instead(custom_id: str) -> None:
    component = t.parse_custom_id(custom_id)
    assert t.opens_modal(component)
    with pytest.raises(InvalidInput):
        t.click_command(component, KEY)


# -- modals -----------------------------------------------------------------------------


def modal_data(**values: str) -> dict[str, object]:
    rows = [
        {"type": 1, "components": [{"type": 4, "custom_id": key, "value": value}]}
        for key, value in values.items()
    ]
    return {"custom_id": "qa:m:ask:1", "components": rows}


def test_modal_values_are_read_from_rows_and_labels() -> None:
    data = modal_data(question="Why?")
    data["components"].append(  # type: ignore[attr-defined]
        {"type": 18, "component": {"type": 4, "custom_id": "anonymous", "value": "yes"}}
    )
    assert t.modal_values(data) == {"question": "Why?", "anonymous": "yes"}
    assert t.modal_values({"components": "junk"}) == {}
    assert t.modal_values({"components": [None, {"type": 4, "custom_id": 5}]}) == {}


@pytest.mark.parametrize(
    ("answer", "anonymous"), [("yes", True), ("Y", True), (" no ", False), ("", False)]
)
def test_ask_modal_becomes_a_submission(answer: str, anonymous: bool) -> None:
    command = t.modal_command(
        t.parse_custom_id("qa:m:ask:3"), {"question": "Why?", "anonymous": answer}, KEY
    )
    assert command == SubmitQuestion(
        session_id=3, text="Why?", anonymous=anonymous, idempotency_key=KEY
    )


def test_an_unclear_anonymous_answer_is_refused_not_guessed() -> None:
    with pytest.raises(InvalidInput, match="yes or no"):
        t.modal_command(t.parse_custom_id("qa:m:ask:3"), {"anonymous": "maybe"}, KEY)


def test_asknow_needs_the_current_session() -> None:
    component = t.parse_custom_id("qa:m:asknow:99")
    with pytest.raises(InvalidInput):
        t.modal_command(component, {"question": "Why?"}, KEY)
    command = t.modal_command(component, {"question": "Why?"}, KEY, current_session=4)
    assert isinstance(command, SubmitQuestion) and command.session_id == 4


def test_reject_modal_reads_the_reason_and_the_message() -> None:
    component = t.parse_custom_id("qa:m:reject:8")
    command = t.modal_command(component, {"reason": "Off topic", "message": " Not here. "}, KEY)
    assert command == RejectQuestion(
        question_id=8, reason=RejectReason.OFF_TOPIC, message="Not here.", idempotency_key=KEY
    )
    blank = t.modal_command(component, {"reason": "", "message": ""}, KEY)
    assert isinstance(blank, RejectQuestion)
    assert blank.reason is RejectReason.OTHER and blank.message is None
    with pytest.raises(InvalidInput, match="spam"):
        t.modal_command(component, {"reason": "because"}, KEY)


def test_edit_and_merge_modals() -> None:
    edit = t.modal_command(t.parse_custom_id("qa:m:edit:8"), {"text": "Better?"}, KEY)
    assert edit == EditQuestion(question_id=8, text="Better?", idempotency_key=KEY)
    merge = t.modal_command(t.parse_custom_id("qa:m:merge:8"), {"number": " #12 "}, KEY)
    assert merge == t.MergeByNumber(duplicate_id=8, into_number=12)
    for bad in ("twelve", "", "#", "1e3", "12345678901"):
        with pytest.raises(InvalidInput):
            t.modal_command(t.parse_custom_id("qa:m:merge:8"), {"number": bad}, KEY)


def test_a_button_id_is_not_a_modal_id() -> None:
    with pytest.raises(InvalidInput):
        t.modal_command(t.parse_custom_id("qa:reject:8"), {}, KEY)


# -- roles ------------------------------------------------------------------------------


def facts(**kwargs: object) -> t.MemberFacts:
    return t.MemberFacts(user_id=5, name="someone", **kwargs)  # type: ignore[arg-type]


def test_permissions_decide_roles_until_roles_are_configured() -> None:
    plain = TenantSettings()
    assert t.roles_for(facts(), plain) == {P}
    assert t.roles_for(facts(manage_messages=True), plain) == {P, Role.MODERATOR}
    assert t.roles_for(facts(manage_guild=True), plain) == {P, Role.HOST}
    assert t.roles_for(facts(administrator=True), plain) == {P, Role.HOST}


def test_configured_roles_replace_manage_messages() -> None:
    settings = TenantSettings().with_options({t.MODERATOR_ROLES: "11,12", t.HOST_ROLES: "13"})
    assert t.roles_for(facts(manage_messages=True), settings) == {P}
    assert t.roles_for(facts(role_ids=frozenset({12})), settings) == {P, Role.MODERATOR}
    assert t.roles_for(facts(role_ids=frozenset({13})), settings) == {P, Role.HOST}


def test_actor_identity_is_per_server() -> None:
    actor = t.actor_for(77, facts(), TenantSettings())
    assert actor.user == UserRef("discord:77", "5") and actor.name == "someone"


def test_a_corrupt_stored_role_list_grants_nothing() -> None:
    assert t.id_list("12, x, ,0,13") == {12, 13}
    assert t.id_list(None) == frozenset()


# -- options ----------------------------------------------------------------------------


def test_mentions_in_options() -> None:
    assert t.user_ids("<@1> <@!2>, 3 <@1>") == [1, 2, 3]
    assert t.role_ids("<@&10>,11") == [10, 11]
    assert t.user_ids(None) == [] and t.user_ids("  ") == []
    for bad in ("@everyone", "<@&1>", "bob", "<@1>x", "<@99999999999999999999999>"):
        with pytest.raises(InvalidInput):
            t.user_ids(bad)
    with pytest.raises(InvalidInput):
        t.role_ids("<@1>")


def test_start_times() -> None:
    assert t.start_time("2026-12-01 18:00") == datetime(2026, 12, 1, 18, tzinfo=UTC)
    assert t.start_time("") is None and t.start_time(None) is None
    with pytest.raises(InvalidInput, match="2026-12-01 18:00"):
        t.start_time("next tuesday")


def test_settings_become_one_configure_command() -> None:
    current = TenantSettings()
    assert t.settings_command("discord:1", current) is None
    command = t.settings_command(
        "discord:1",
        current,
        moderator_roles="<@&10> <@&11>",
        host_roles="none",
        moderation="post",
        strategy="top",
        ama_channel=5,
        mod_channel=6,
        key=KEY,
    )
    assert isinstance(command, ConfigureTenant)
    assert dict(command.options) == {
        t.MODERATOR_ROLES: "10,11",
        t.HOST_ROLES: None,
        t.AMA_CHANNEL: "5",
        t.MOD_CHANNEL: "6",
    }
    assert command.defaults is not None
    assert command.defaults.moderation is ModerationMode.POST
    assert command.defaults.strategy == "top"
    assert command.defaults.max_length == current.defaults.max_length, "others kept"
    with pytest.raises(InvalidInput):
        t.settings_command("discord:1", current, moderation="sometimes")
    with pytest.raises(InvalidInput):
        t.settings_command("discord:1", current, moderator_roles=" , ")


def session(session_id: int, state: SessionState) -> Session:
    host = QaPerson(UserRef("discord:1", "1"), "host")
    return Session(
        id=session_id,
        tenant="discord:1",
        title="t",
        intro="",
        state=state,
        created_by=host,
        created_at=datetime(2026, 1, 1, tzinfo=UTC),
    )


def test_the_session_a_command_means() -> None:
    newest_first = [
        session(4, SessionState.CLOSED),
        session(3, SessionState.SCHEDULED),
        session(2, SessionState.LIVE),
        session(1, SessionState.LIVE),
    ]
    assert t.pick_session(newest_first, None) == 2
    assert t.pick_session(newest_first, 4) == 4
    assert t.pick_session(newest_first[:2], None) == 3
    with pytest.raises(InvalidInput, match="/ama create"):
        t.pick_session(newest_first[:1], None)
    # An export also means the newest finished one when nothing is open.
    assert t.pick_session(newest_first[:1], None, finished=True) == 4
    assert t.pick_session(newest_first, None, finished=True) == 2
    with pytest.raises(InvalidInput, match="no AMA here yet"):
        t.pick_session([], None, finished=True)
