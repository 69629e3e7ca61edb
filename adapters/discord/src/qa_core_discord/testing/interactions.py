"""Interactions on both sides of the wire.

Server side: the callback endpoint and the interaction webhooks (follow-ups, ``@original``),
with Discord's rules -- 3 s to acknowledge (10062), one acknowledgement (40060), a 15 min
token (50027), no follow-up before the acknowledgement (10015). Client side: the
INTERACTION_CREATE payloads the fake dispatches for slash commands, clicks and modal submits.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from . import limits
from .limits import Violation
from .state import (
    ALL_PERMISSIONS,
    APPLICATION_COMMAND,
    AUTOCOMPLETE,
    AUTOCOMPLETE_RESULT,
    CHANNEL_MESSAGE,
    DEFERRED_CHANNEL_MESSAGE,
    DEFERRED_UPDATE_MESSAGE,
    EPHEMERAL,
    JSON,
    LOADING,
    MESSAGE_COMPONENT,
    MODAL,
    MODAL_SUBMIT,
    UPDATE_MESSAGE,
    CallbackRecord,
    FakeChannel,
    FakeMember,
    FakeRole,
    FakeState,
    FakeUser,
    InteractionState,
    UploadedFile,
    channel_payload,
    member_payload,
    role_payload,
    user_payload,
)
from .wire import (
    ApiError,
    check_message_body,
    current_body,
    current_object,
    invalid_form,
    json_response,
    truthy,
)

CHAT_INPUT_COMMAND_MESSAGE = 20
MESSAGE_CALLBACKS = frozenset({CHANNEL_MESSAGE, DEFERRED_CHANNEL_MESSAGE})
UPDATE_CALLBACKS = frozenset({DEFERRED_UPDATE_MESSAGE, UPDATE_MESSAGE})
OPTION_TYPES: tuple[tuple[type, int], ...] = ((bool, 5), (int, 4), (float, 10), (str, 3))
SUB_COMMAND, SUB_COMMAND_GROUP = 1, 2
TEXT_INPUT, LABEL, ACTION_ROW = 4, 18, 1


class InteractionEndpoints:
    """The callback route and the ``/webhooks/{app}/{token}[/messages/...]`` routes."""

    def __init__(self, state: FakeState, *, deadline: float, token_lifetime: float) -> None:
        self.state = state
        self.interaction_deadline = deadline
        self.token_lifetime = token_lifetime

    async def interaction_callback(self, request: web.Request) -> web.Response:
        interaction = self.state.interactions.get(int(request.match_info["interaction_id"]))
        if interaction is None or interaction.token != request.match_info["interaction_token"]:
            raise ApiError(404, 10062, "Unknown interaction")
        if self.state.clock.now() - interaction.created_at > self.interaction_deadline:
            raise ApiError(404, 10062, "Unknown interaction")
        if interaction.callback is not None:
            raise ApiError(400, 40060, "Interaction has already been acknowledged.")
        body, files = current_object(), current_body().files
        data = body.get("data") or {}
        kind = self._check_callback(interaction, body.get("type"), data, files)
        message = self._apply_callback(interaction, kind, data, files)
        interaction.callback = CallbackRecord(kind, data or None, files)
        if not truthy(request.query.get("with_response")):
            return web.Response(status=204)
        return json_response(self._callback_answer(interaction, kind, message))

    def _check_callback(
        self,
        interaction: InteractionState,
        kind: Any,
        data: Mapping[str, Any],
        files: Sequence[UploadedFile],
    ) -> int:
        """Validate a callback body; returns its type."""
        allowed = self._allowed_callbacks(interaction)
        if not isinstance(kind, int) or kind not in allowed:
            message = f"Value must be one of {sorted(allowed)}."
            raise invalid_form([Violation(("type",), "BASE_TYPE_CHOICES", message)])
        if kind in (CHANNEL_MESSAGE, UPDATE_MESSAGE):
            check_message_body(data, files, creating=kind == CHANNEL_MESSAGE, path=("data",))
        elif kind == MODAL:
            violations = limits.check_modal(data, ("data",))
            if violations:
                raise invalid_form(violations)
        return kind

    @staticmethod
    def _allowed_callbacks(interaction: InteractionState) -> frozenset[int]:
        if interaction.type == APPLICATION_COMMAND:
            return MESSAGE_CALLBACKS | {MODAL}
        if interaction.type == MESSAGE_COMPONENT:
            return MESSAGE_CALLBACKS | UPDATE_CALLBACKS | {MODAL}
        if interaction.type == AUTOCOMPLETE:
            return frozenset({AUTOCOMPLETE_RESULT})
        if interaction.type == MODAL_SUBMIT and interaction.component_message_id is not None:
            return MESSAGE_CALLBACKS | UPDATE_CALLBACKS
        return MESSAGE_CALLBACKS

    def _apply_callback(
        self,
        interaction: InteractionState,
        kind: int,
        data: Mapping[str, Any],
        files: Sequence[UploadedFile],
    ) -> JSON | None:
        if kind in (CHANNEL_MESSAGE, DEFERRED_CHANNEL_MESSAGE):
            body = (
                data
                if kind == CHANNEL_MESSAGE
                else {"flags": (int(data.get("flags") or 0) & EPHEMERAL) | LOADING}
            )
            message_type = (
                CHAT_INPUT_COMMAND_MESSAGE if interaction.type == APPLICATION_COMMAND else 0
            )
            message = self.state.create_message(
                self._interaction_channel(interaction),
                body,
                author=self.state.bot_user,
                files=files,
                message_type=message_type,
                webhook_id=self.state.application_id,
            )
            interaction.original_message_id = int(message["id"])
            return message
        if kind in (DEFERRED_UPDATE_MESSAGE, UPDATE_MESSAGE):
            message_id = interaction.component_message_id
            target = self.state.messages.get(message_id) if message_id else None
            if target is None:
                raise ApiError(404, 10008, "Unknown Message")
            interaction.original_message_id = message_id
            return (
                self.state.edit_message(target, data, files) if kind == UPDATE_MESSAGE else target
            )
        return None

    def _interaction_channel(self, interaction: InteractionState) -> FakeChannel:
        channel = self.state.channels.get(interaction.channel_id or 0)
        if channel is None:
            raise ApiError(404, 10003, "Unknown Channel")
        return channel

    def _callback_answer(
        self, interaction: InteractionState, kind: int, message: JSON | None
    ) -> JSON:
        summary: JSON = {
            "id": str(interaction.id),
            "type": interaction.type,
            "response_message_loading": kind == DEFERRED_CHANNEL_MESSAGE,
            "response_message_ephemeral": bool(message and message["flags"] & EPHEMERAL),
        }
        resource: JSON = {"type": kind}
        if message is not None:
            summary["response_message_id"] = message["id"]
            resource["message"] = message
        return {"interaction": summary, "resource": resource}

    def _webhook_interaction(self, request: web.Request) -> InteractionState:
        interaction = self.state.interaction_by_token(request.match_info["interaction_token"])
        if (
            request.match_info["application_id"] != str(self.state.application_id)
            or interaction is None
        ):
            raise ApiError(404, 10015, "Unknown Webhook")
        if self.state.clock.now() - interaction.created_at > self.token_lifetime:
            raise ApiError(401, 50027, "Invalid Webhook Token")
        if interaction.callback is None:
            # Discord only opens the webhook once the interaction has been acknowledged.
            raise ApiError(404, 10015, "Unknown Webhook")
        return interaction

    def _webhook_message(self, request: web.Request, interaction: InteractionState) -> JSON:
        raw = request.match_info["message_id"]
        message_id = interaction.original_message_id if raw == "@original" else int(raw)
        owned = {interaction.original_message_id, *interaction.followup_ids}
        message = (
            self.state.messages.get(message_id) if message_id in owned and message_id else None
        )
        if message is None:
            raise ApiError(404, 10008, "Unknown Message")
        return message

    async def execute_webhook(self, request: web.Request) -> web.Response:
        interaction = self._webhook_interaction(request)
        body, files = current_object(), current_body().files
        check_message_body(body, files, creating=True)
        original = self.state.messages.get(interaction.original_message_id or 0)
        if original is not None and original["flags"] & LOADING:
            # After a defer, Discord puts the first follow-up into the "thinking" message.
            message = self.state.edit_message(original, body, files)
            message["flags"] &= ~LOADING
        else:
            channel = self._interaction_channel(interaction)
            message = self.state.create_message(
                channel,
                body,
                author=self.state.bot_user,
                files=files,
                webhook_id=self.state.application_id,
            )
        interaction.followup_ids.append(int(message["id"]))
        if not truthy(request.query.get("wait")):
            return web.Response(status=204)
        return json_response(message)

    async def get_webhook_message(self, request: web.Request) -> web.Response:
        return json_response(self._webhook_message(request, self._webhook_interaction(request)))

    async def edit_webhook_message(self, request: web.Request) -> web.Response:
        message = self._webhook_message(request, self._webhook_interaction(request))
        body, files = current_object(), current_body().files
        check_message_body(body, files, creating=False)
        self.state.edit_message(message, body, files)
        message["flags"] &= ~LOADING
        return json_response(message)

    async def delete_webhook_message(self, request: web.Request) -> web.Response:
        message = self._webhook_message(request, self._webhook_interaction(request))
        self.state.delete_message(int(message["id"]))
        return web.Response(status=204)


# -- client side: INTERACTION_CREATE payloads ---------------------------------------------


@dataclass(frozen=True)
class Place:
    """Where an interaction happens and who triggers it (``member`` is None in DMs)."""

    channel: FakeChannel
    member: FakeMember | None
    user: FakeUser

    @property
    def guild_id(self) -> int | None:
        return self.member.guild_id if self.member else None


def interaction_payload(
    state: FakeState, kind: int, data: JSON, where: Place, permissions: int | None
) -> JSON:
    """The interaction object (receiving-and-responding.mdx, "Interaction Structure")."""
    payload: JSON = {
        "id": str(state.mint()),
        "application_id": str(state.application_id),
        "type": kind,
        "data": data,
        "version": 1,
        "channel_id": str(where.channel.id),
        "channel": channel_payload(where.channel, state.clock),
        "locale": "en-US",
        "entitlements": [],
        "attachment_size_limit": limits.MAX_UPLOAD_BYTES,
    }
    if where.member is None:
        return payload | {"user": user_payload(where.user), "context": 1, "app_permissions": "0"}
    guild = state.guilds[where.member.guild_id]
    bot = guild.members[state.bot_user.id]
    granted = state.member_permissions(where.member) if permissions is None else permissions
    return payload | {
        "guild_id": str(guild.id),
        "guild": {"id": str(guild.id), "locale": "en-US", "features": []},
        "guild_locale": "en-US",
        "member": member_payload(where.member, permissions=granted),
        "app_permissions": str(state.member_permissions(bot)),
        "authorizing_integration_owners": {"0": str(guild.id)},
        "context": 0,
    }


def command_data(
    state: FakeState, parts: Sequence[str], options: Mapping[str, Any], guild_id: int | None
) -> JSON:
    """Chat-input data; ``parts[1:]`` become nested subcommand group / subcommand options.

    The id and scope come from the commands the bot synced, as Discord would send them.
    """
    nested = [_option(name, value) for name, value in options.items()]
    resolved = _resolved(state, options.values())
    for depth, name in reversed(list(enumerate(parts[1:], start=1))):
        kind = SUB_COMMAND if depth == len(parts) - 1 else SUB_COMMAND_GROUP
        nested = [{"name": name, "type": kind, "options": nested}]
    data: JSON = {"name": parts[0], "type": 1, "options": nested}
    if resolved:
        data["resolved"] = resolved
    synced = _synced_command(state, parts[0], guild_id)
    data["id"] = synced["id"] if synced else str(state.mint())
    if synced and "guild_id" in synced:
        data["guild_id"] = synced["guild_id"]
    return data


def _synced_command(state: FakeState, name: str, guild_id: int | None) -> JSON | None:
    for scope in ([guild_id] if guild_id else []) + [None]:
        for command in state.commands.get(scope, []):
            if command["name"] == name and command["type"] == 1:
                return command
    return None


def component_data(message: JSON, custom_id: str, values: Sequence[str] | None) -> JSON:
    """Data of a click; like Discord, only a custom id present on the message is accepted."""
    component = _find_component(message.get("components") or [], custom_id)
    if component is None:
        raise LookupError(f"message {message['id']} has no component with custom_id {custom_id!r}")
    data: JSON = {"custom_id": custom_id, "component_type": component["type"]}
    if values is not None:
        data["values"] = list(values)
    return data


def modal_submit_data(modal: Mapping[str, Any], values: Mapping[str, str]) -> JSON:
    return {
        "custom_id": modal["custom_id"],
        "components": _submitted_components(modal.get("components") or [], values),
    }


def _option(name: str, value: Any) -> JSON:
    if isinstance(value, FakeMember):
        return {"name": name, "type": 6, "value": str(value.user.id)}
    if isinstance(value, FakeUser):
        return {"name": name, "type": 6, "value": str(value.id)}
    if isinstance(value, FakeChannel):
        return {"name": name, "type": 7, "value": str(value.id)}
    if isinstance(value, FakeRole):
        return {"name": name, "type": 8, "value": str(value.id)}
    for python_type, option_type in OPTION_TYPES:
        if isinstance(value, python_type):
            return {"name": name, "type": option_type, "value": value}
    raise TypeError(
        f"option {name!r}: unsupported value {value!r}; pass str, int, float, bool, "
        "or a FakeMember, FakeUser, FakeChannel or FakeRole"
    )


def _resolved(state: FakeState, values: Iterable[Any]) -> JSON:
    """The ``resolved`` map Discord sends with user, channel and role options."""
    resolved: JSON = {}
    for value in values:
        if isinstance(value, FakeMember):
            resolved.setdefault("users", {})[str(value.user.id)] = user_payload(value.user)
            member = member_payload(value, permissions=state.member_permissions(value))
            member.pop("user")
            resolved.setdefault("members", {})[str(value.user.id)] = member
        elif isinstance(value, FakeUser):
            resolved.setdefault("users", {})[str(value.id)] = user_payload(value)
        elif isinstance(value, FakeChannel):
            resolved.setdefault("channels", {})[str(value.id)] = {
                "id": str(value.id),
                "name": value.name,
                "type": value.type,
                "parent_id": str(value.parent_id) if value.parent_id else None,
                "permissions": str(ALL_PERMISSIONS),
            }
        elif isinstance(value, FakeRole):
            resolved.setdefault("roles", {})[str(value.id)] = role_payload(value)
    return resolved


def _find_component(components: Sequence[JSON], custom_id: str) -> JSON | None:
    for component in components:
        if component.get("custom_id") == custom_id:
            return component
        nested = [*(component.get("components") or []), *filter(None, [component.get("accessory")])]
        found = _find_component(nested, custom_id)
        if found is not None:
            return found
    return None


def _submitted_components(
    modal_components: Sequence[JSON], values: Mapping[str, str]
) -> list[JSON]:
    """Mirror the modal's layout (rows or labels) with each text input's submitted value."""
    inputs = {c["custom_id"]: c for c in _text_inputs(modal_components)}
    unknown = set(values) - set(inputs)
    if unknown:
        raise KeyError(f"the modal has no text inputs {sorted(unknown)}")
    for custom_id, text_input in inputs.items():
        _check_input_value(text_input, values.get(custom_id, ""))
    submitted: list[JSON] = []
    for component in modal_components:
        if component.get("type") == ACTION_ROW:
            children = [_input_value(c, values) for c in component.get("components") or []]
            submitted.append({"type": 1, "components": children})
        elif component.get("type") == LABEL:
            submitted.append(
                {"type": 18, "component": _input_value(component["component"], values)}
            )
    return submitted


def _text_inputs(components: Sequence[JSON]) -> Iterator[JSON]:
    for component in components:
        if component.get("type") == TEXT_INPUT:
            yield component
        yield from _text_inputs(component.get("components") or [])
        if isinstance(component.get("component"), Mapping):
            yield from _text_inputs([component["component"]])


def _input_value(component: JSON, values: Mapping[str, str]) -> JSON:
    submitted: JSON = {"type": component["type"], "custom_id": component.get("custom_id")}
    if component.get("type") == TEXT_INPUT:
        submitted["value"] = values.get(component["custom_id"], "")
    else:
        submitted["values"] = []  # selects inside modals are submitted empty by this fake
    return submitted


def _check_input_value(text_input: JSON, value: str) -> None:
    low, high = text_input.get("min_length") or 0, text_input.get("max_length") or 4000
    if text_input.get("required", True) and not value:
        raise ValueError(f"text input {text_input['custom_id']!r} is required")
    if value and not low <= len(value) <= high:
        raise ValueError(
            f"text input {text_input['custom_id']!r} takes {low}-{high} characters,"
            f" got {len(value)}"
        )
