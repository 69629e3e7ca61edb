"""Discord's payload limits, reported the way the API reports them.

discord.py does not pre-validate lengths: a too-long question only fails when Discord answers
``400 {"code": 50035, "message": "Invalid Form Body", "errors": {...}}``. Checking the same
limits here makes an adapter's "does it fit?" bugs show up in tests instead of production.
Limits: developers/resources/message ("Embed Limits"), developers/components/reference,
developers/interactions/receiving-and-responding (modals).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

JSON = dict[str, Any]
Path = tuple[str | int, ...]

MAX_CONTENT = 2000
MAX_EMBEDS = 10
MAX_EMBED_TOTAL = 6000
EMBED_TEXT_LIMITS: Mapping[str, int] = {"title": 256, "description": 4096}
MAX_FIELDS = 25
FIELD_LIMITS: Mapping[str, int] = {"name": 256, "value": 1024}
MAX_FOOTER = 2048
MAX_AUTHOR = 256
MAX_ROWS = 5
MAX_ROW_WIDTH = 5
MAX_COMPONENTS_V2 = 40
MAX_CUSTOM_ID = 100
MAX_BUTTON_LABEL = 80
MAX_SELECT_OPTIONS = 25
MAX_OPTION_TEXT = 100
MAX_PLACEHOLDER = 150
MAX_TEXT_DISPLAY = 4000
MAX_MODAL_TITLE = 45
MAX_MODAL_COMPONENTS = 5
MAX_INPUT_LABEL = 45
MAX_INPUT_VALUE = 4000
MAX_INPUT_PLACEHOLDER = 100
MAX_LABEL_DESCRIPTION = 100
MAX_THREAD_NAME = 100
MAX_UPLOAD_BYTES = 25 * 1024 * 1024

IS_COMPONENTS_V2 = 1 << 15
ACTION_ROW, BUTTON, STRING_SELECT, TEXT_INPUT, TEXT_DISPLAY, LABEL = 1, 2, 3, 4, 10, 18
SELECTS = frozenset({STRING_SELECT, 5, 6, 7, 8})
LINK_STYLE, PREMIUM_STYLE = 5, 6
MENTION_TYPES = frozenset({"users", "roles", "everyone"})


@dataclass(frozen=True)
class Violation:
    """One broken limit; ``path`` is where Discord would put it in ``errors``."""

    path: Path
    code: str
    message: str


def invalid_form_body(violations: Sequence[Violation]) -> JSON:
    """The 50035 error body, with Discord's nested ``errors`` tree (indices as strings)."""
    errors: JSON = {}
    for violation in violations:
        node = errors
        for part in violation.path:
            node = node.setdefault(str(part), {})
        node.setdefault("_errors", []).append(
            {"code": violation.code, "message": violation.message}
        )
    return {"code": 50035, "message": "Invalid Form Body", "errors": errors}


def is_empty_message(body: Mapping[str, Any], *, file_count: int = 0) -> bool:
    """Discord's 50006 rule: nothing to show at all."""
    content = body.get("content")
    has_content = isinstance(content, str) and content.strip() != ""
    fields = ("embeds", "components", "attachments", "sticker_ids", "poll")
    return not (has_content or file_count or any(body.get(key) for key in fields))


def check_message(body: Mapping[str, Any], path: Path = ()) -> list[Violation]:
    """Limits of a message create/edit body (channel message, webhook, interaction data)."""
    violations: list[Violation] = []
    content = body.get("content")
    if isinstance(content, str):
        violations += _max_length(content, MAX_CONTENT, (*path, "content"))
    embeds = body.get("embeds") or []
    violations += check_embeds(embeds, (*path, "embeds"))
    v2 = bool(int(body.get("flags") or 0) & IS_COMPONENTS_V2)
    if v2 and (content or embeds):
        message = "Message with components v2 cannot use content or embeds."
        violations.append(
            Violation(
                (*path, "content"), "MESSAGE_CANNOT_USE_LEGACY_FIELDS_WITH_COMPONENTS_V2", message
            )
        )
    violations += check_components(body.get("components") or [], v2=v2, path=(*path, "components"))
    violations += check_allowed_mentions(body.get("allowed_mentions"), (*path, "allowed_mentions"))
    return violations


def check_embeds(embeds: Sequence[Mapping[str, Any]], path: Path) -> list[Violation]:
    violations = _max_items(embeds, MAX_EMBEDS, path)
    total = 0
    for index, embed in enumerate(embeds):
        violations += _check_embed(embed, (*path, index))
        total += embed_size(embed)
    if total > MAX_EMBED_TOTAL:
        message = f"Embed size exceeds maximum size of {MAX_EMBED_TOTAL}"
        violations.append(Violation(path, "MAX_EMBED_SIZE_EXCEEDED", message))
    return violations


def embed_size(embed: Mapping[str, Any]) -> int:
    """Characters that count towards the 6000 total: title, description, fields, footer, author."""
    parts = [embed.get("title"), embed.get("description")]
    parts += [(embed.get("footer") or {}).get("text"), (embed.get("author") or {}).get("name")]
    for field in embed.get("fields") or []:
        parts += [field.get("name"), field.get("value")]
    return sum(len(p) for p in parts if isinstance(p, str))


def _check_embed(embed: Mapping[str, Any], path: Path) -> list[Violation]:
    violations: list[Violation] = []
    for key, limit in EMBED_TEXT_LIMITS.items():
        violations += _max_length(embed.get(key), limit, (*path, key))
    violations += _max_length(
        (embed.get("footer") or {}).get("text"), MAX_FOOTER, (*path, "footer", "text")
    )
    violations += _max_length(
        (embed.get("author") or {}).get("name"), MAX_AUTHOR, (*path, "author", "name")
    )
    fields = embed.get("fields") or []
    violations += _max_items(fields, MAX_FIELDS, (*path, "fields"))
    for index, field in enumerate(fields):
        for key, limit in FIELD_LIMITS.items():
            violations += _max_length(field.get(key), limit, (*path, "fields", index, key))
    return violations


def check_components(
    components: Sequence[Mapping[str, Any]], *, v2: bool, path: Path
) -> list[Violation]:
    """Layout and id rules; ``custom_id`` must be unique within the message."""
    violations: list[Violation] = []
    if v2:
        total = sum(1 for _ in _walk(components, path))
        if total > MAX_COMPONENTS_V2:
            message = f"Must be {MAX_COMPONENTS_V2} or fewer in total."
            violations.append(Violation(path, "BASE_TYPE_MAX_LENGTH", message))
    else:
        violations += _max_items(components, MAX_ROWS, path)
        for index, component in enumerate(components):
            if component.get("type") != ACTION_ROW:
                message = "Top-level components must be action rows without the components v2 flag."
                violations.append(Violation((*path, index, "type"), "UNION_TYPE_CHOICES", message))
    seen: set[str] = set()
    for component, where in _walk(components, path):
        violations += _check_component(component, where)
        custom_id = component.get("custom_id")
        if isinstance(custom_id, str):
            if custom_id in seen:
                message = "Component custom id cannot be duplicated"
                violations.append(
                    Violation((*where, "custom_id"), "COMPONENT_CUSTOM_ID_DUPLICATED", message)
                )
            seen.add(custom_id)
    return violations


def _walk(
    components: Sequence[Mapping[str, Any]], path: Path
) -> Iterator[tuple[Mapping[str, Any], Path]]:
    for index, component in enumerate(components):
        where = (*path, index)
        yield component, where
        yield from _walk(component.get("components") or [], (*where, "components"))
        if isinstance(component.get("component"), Mapping):
            yield from _walk([component["component"]], (*where, "component"))
        if isinstance(component.get("accessory"), Mapping):
            yield from _walk([component["accessory"]], (*where, "accessory"))


def _check_component(component: Mapping[str, Any], path: Path) -> list[Violation]:
    kind = component.get("type")
    if kind == ACTION_ROW:
        return _check_row(component, path)
    if kind == BUTTON:
        return _check_button(component, path)
    if kind in SELECTS:
        return _check_select(component, path)
    if kind == TEXT_DISPLAY:
        return _max_length(component.get("content"), MAX_TEXT_DISPLAY, (*path, "content"))
    return []


def _check_row(row: Mapping[str, Any], path: Path) -> list[Violation]:
    children = row.get("components") or []
    violations = _max_items(children, MAX_ROW_WIDTH, (*path, "components"))
    if any(child.get("type") in SELECTS for child in children) and len(children) > 1:
        message = "The specified component exceeds the maximum width"
        violations.append(
            Violation((*path, "components"), "COMPONENT_LAYOUT_WIDTH_EXCEEDED", message)
        )
    return violations


def _check_button(button: Mapping[str, Any], path: Path) -> list[Violation]:
    violations = _max_length(button.get("label"), MAX_BUTTON_LABEL, (*path, "label"))
    if button.get("style") not in (LINK_STYLE, PREMIUM_STYLE):
        violations += _custom_id(button, path)
    return violations


def _check_select(select: Mapping[str, Any], path: Path) -> list[Violation]:
    violations = _custom_id(select, path)
    violations += _max_length(select.get("placeholder"), MAX_PLACEHOLDER, (*path, "placeholder"))
    if select.get("type") == STRING_SELECT:
        options = select.get("options") or []
        violations += _max_items(options, MAX_SELECT_OPTIONS, (*path, "options"))
        for index, option in enumerate(options):
            for key in ("label", "value", "description"):
                violations += _max_length(
                    option.get(key), MAX_OPTION_TEXT, (*path, "options", index, key)
                )
    return violations


def check_allowed_mentions(allowed: Any, path: Path) -> list[Violation]:
    if not isinstance(allowed, Mapping):
        return []
    parse = allowed.get("parse") or []
    violations = [
        Violation(
            (*path, "parse", i),
            "BASE_TYPE_CHOICES",
            f"Value must be one of {sorted(MENTION_TYPES)}.",
        )
        for i, kind in enumerate(parse)
        if kind not in MENTION_TYPES
    ]
    for kind in ("users", "roles"):
        if kind in parse and allowed.get(kind):
            message = f'parse:["{kind}"] and {kind}: [ids] are mutually exclusive.'
            violations.append(
                Violation((*path, kind), "MESSAGE_ALLOWED_MENTIONS_PARSE_EXCLUSIVE", message)
            )
    return violations


def check_thread_name(name: Any) -> list[Violation]:
    return _length_between(name, 1, MAX_THREAD_NAME, ("name",))


def check_modal(data: Mapping[str, Any], path: Path = ()) -> list[Violation]:
    """Limits of a MODAL (type 9) callback's ``data``."""
    violations = _custom_id(data, path)
    violations += _length_between(data.get("title"), 1, MAX_MODAL_TITLE, (*path, "title"))
    components = data.get("components") or []
    violations += _length_between(components, 1, MAX_MODAL_COMPONENTS, (*path, "components"))
    for component, where in _walk(components, (*path, "components")):
        if component.get("type") == TEXT_INPUT:
            violations += _check_text_input(component, where)
        elif component.get("type") == LABEL:
            violations += _length_between(
                component.get("label"), 1, MAX_INPUT_LABEL, (*where, "label")
            )
            text = component.get("description")
            violations += _max_length(text, MAX_LABEL_DESCRIPTION, (*where, "description"))
    return violations


def _check_text_input(text_input: Mapping[str, Any], path: Path) -> list[Violation]:
    violations = _custom_id(text_input, path)
    if "label" in text_input:
        violations += _length_between(text_input["label"], 1, MAX_INPUT_LABEL, (*path, "label"))
    violations += _max_length(text_input.get("value"), MAX_INPUT_VALUE, (*path, "value"))
    violations += _max_length(
        text_input.get("placeholder"), MAX_INPUT_PLACEHOLDER, (*path, "placeholder")
    )
    for key, low in (("min_length", 0), ("max_length", 1)):
        value = text_input.get(key)
        if value is not None and not low <= int(value) <= MAX_INPUT_VALUE:
            message = f"int value should be between {low} and {MAX_INPUT_VALUE}."
            violations.append(Violation((*path, key), "NUMBER_TYPE_MAX", message))
    return violations


def _custom_id(component: Mapping[str, Any], path: Path) -> list[Violation]:
    custom_id = component.get("custom_id")
    if not isinstance(custom_id, str):
        return [Violation((*path, "custom_id"), "BASE_TYPE_REQUIRED", "This field is required")]
    return _length_between(custom_id, 1, MAX_CUSTOM_ID, (*path, "custom_id"))


def _max_length(value: Any, limit: int, path: Path) -> list[Violation]:
    if isinstance(value, str) and len(value) > limit:
        return [Violation(path, "BASE_TYPE_MAX_LENGTH", f"Must be {limit} or fewer in length.")]
    return []


def _max_items(items: Sequence[Any], limit: int, path: Path) -> list[Violation]:
    if len(items) > limit:
        return [Violation(path, "BASE_TYPE_MAX_LENGTH", f"Must be {limit} or fewer in length.")]
    return []


def _length_between(value: Any, low: int, high: int, path: Path) -> list[Violation]:
    if value is None:
        return [Violation(path, "BASE_TYPE_REQUIRED", "This field is required")]
    if not low <= len(value) <= high:
        return [
            Violation(path, "BASE_TYPE_BAD_LENGTH", f"Must be between {low} and {high} in length.")
        ]
    return []


MAX_COMMANDS = 100
MAX_OPTIONS = 25
MAX_COMMAND_NAME = 32
MAX_COMMAND_DESCRIPTION = 100
CHAT_INPUT = 1
_COMMAND_NAME = re.compile(r"^[-_'\w]{1,32}$")


def check_commands(commands: Sequence[Mapping[str, Any]]) -> list[Violation]:
    """A bulk-overwrite (``tree.sync``) body: names, descriptions and option counts."""
    violations = _max_items(commands, MAX_COMMANDS, ())
    for index, command in enumerate(commands):
        violations += _check_command(
            command, (index,), chat_input=command.get("type", CHAT_INPUT) == CHAT_INPUT
        )
    return violations


def _check_command(command: Mapping[str, Any], path: Path, *, chat_input: bool) -> list[Violation]:
    name = command.get("name")
    violations = _length_between(name, 1, MAX_COMMAND_NAME, (*path, "name"))
    if (
        chat_input
        and isinstance(name, str)
        and not (_COMMAND_NAME.match(name) and name == name.lower())
    ):
        message = "Command name is invalid: lowercase letters, digits, - and _ only."
        violations.append(Violation((*path, "name"), "APPLICATION_COMMAND_INVALID_NAME", message))
    if chat_input:
        text = command.get("description")
        violations += _length_between(text, 1, MAX_COMMAND_DESCRIPTION, (*path, "description"))
    options = command.get("options") or []
    violations += _max_items(options, MAX_OPTIONS, (*path, "options"))
    for index, option in enumerate(options):
        violations += _check_command(option, (*path, "options", index), chat_input=chat_input)
    return violations
