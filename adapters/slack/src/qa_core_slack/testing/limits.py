"""Block Kit and message limits, checked the way Slack's Web API checks them.

The fake rejects what Slack would reject so that an adapter cannot pass its tests with a
payload that fails in production. Slack reports block problems as
``{"ok": false, "error": "invalid_blocks", "response_metadata": {"messages": [...]}}`` with
one ``"[ERROR] <what> [json-pointer:<where>]"`` line per problem; views report
``invalid_arguments`` in the same shape. The numbers come from the Block Kit reference and
``slack_sdk.models`` (see docs/platforms.md section 3.2). Everything here is pure.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

MESSAGE_BLOCKS_MAX = 50
SURFACE_BLOCKS_MAX = 100  # modals and App Home
MESSAGE_TEXT_MAX = 40_000
TEXT_OBJECT_MAX = 3_000
SECTION_FIELD_MAX = 2_000
SECTION_FIELDS_MAX = 10
HEADER_TEXT_MAX = 150
BUTTON_TEXT_MAX = 75
BUTTON_VALUE_MAX = 2_000
URL_MAX = 3_000
ACTION_ID_MAX = 255
BLOCK_ID_MAX = 255
ACTIONS_ELEMENTS_MAX = 25
CONTEXT_ELEMENTS_MAX = 10
OPTION_TEXT_MAX = 75
OPTION_VALUE_MAX = 150
PLACEHOLDER_MAX = 150
LABEL_MAX = 2_000
MARKDOWN_BLOCK_MAX = 12_000
MODAL_TITLE_MAX = 24
MODAL_BUTTON_MAX = 24
PRIVATE_METADATA_MAX = 3_000
CALLBACK_ID_MAX = 255
EXTERNAL_ID_MAX = 255
VIEW_BYTES_MAX = 250_000

_TEXT_KEYS = {"plain_text": {"type", "text", "emoji"}, "mrkdwn": {"type", "text", "verbatim"}}
_SELECTS = {
    "static_select",
    "external_select",
    "users_select",
    "conversations_select",
    "channels_select",
    "multi_static_select",
    "multi_external_select",
    "multi_users_select",
    "multi_conversations_select",
    "multi_channels_select",
}
_OTHER_ELEMENTS = {
    "checkboxes",
    "radio_buttons",
    "datepicker",
    "datetimepicker",
    "timepicker",
    "email_text_input",
    "number_input",
    "url_text_input",
    "rich_text_input",
    "file_input",
    "workflow_button",
}
_PASS_THROUGH_BLOCKS = {"divider", "rich_text", "file", "video", "call", "table", "context_actions"}


@dataclass(frozen=True)
class Problem:
    """One thing Slack would complain about, located by a JSON pointer into the request."""

    pointer: str
    message: str

    def __str__(self) -> str:
        return f"[ERROR] {self.message} [json-pointer:{self.pointer}]"


@dataclass(frozen=True)
class Rejection:
    """A Slack error name plus the per-field problems Slack lists in ``response_metadata``."""

    error: str
    problems: tuple[Problem, ...] = ()

    def body(self) -> dict[str, Any]:
        """The JSON body Slack answers with (HTTP 200, ``ok: false``)."""
        out: dict[str, Any] = {"ok": False, "error": self.error}
        if self.problems:
            out["response_metadata"] = {"messages": [str(p) for p in self.problems]}
        return out


def check_message(
    *,
    text: object,
    blocks: object,
    attachments: object = None,
    require_content: bool = True,
) -> Rejection | None:
    """Check a chat.postMessage / chat.update / chat.postEphemeral / response_url payload.

    Slack documents that ``chat.postMessage`` *truncates* text above 40,000 characters; the
    fake answers ``msg_too_long`` (as chat.update does) so the overflow is visible in a test.
    """
    if blocks is not None and not isinstance(blocks, list):
        return Rejection("invalid_blocks_format")
    if text is not None and not isinstance(text, str):
        return Rejection("invalid_arguments", (Problem("/text", "must be a string"),))
    if text is not None and len(text) > MESSAGE_TEXT_MAX:
        return Rejection("msg_too_long")
    if require_content and not text and not blocks and not attachments:
        return Rejection("no_text")
    if blocks:
        problems = tuple(validate_blocks(blocks, max_blocks=MESSAGE_BLOCKS_MAX))
        if problems:
            return Rejection("invalid_blocks", problems)
    return None


def check_view(view: object) -> Rejection | None:
    """Check a view object for views.open / push / update / publish."""
    if not isinstance(view, dict):
        return Rejection("invalid_arguments", (Problem("/view", "must be an object"),))
    if len(json.dumps(view).encode()) > VIEW_BYTES_MAX:
        return Rejection("view_too_large")
    problems = tuple(_view_problems(view))
    return Rejection("invalid_arguments", problems) if problems else None


def validate_blocks(
    blocks: list[Any], *, max_blocks: int, pointer: str = "/blocks"
) -> list[Problem]:
    """All problems in a list of blocks (empty when Slack would accept it)."""
    problems: list[Problem] = []
    if len(blocks) > max_blocks:
        problems.append(Problem(pointer, f"must be less than {max_blocks + 1} items"))
    seen_ids: set[str] = set()
    for index, block in enumerate(blocks):
        where = f"{pointer}/{index}"
        if not isinstance(block, dict):
            problems.append(Problem(where, "must be an object"))
            continue
        problems.extend(_block_id_problems(block, where, seen_ids))
        problems.extend(_block_problems(block, where))
    return problems


def _view_problems(view: Mapping[str, Any]) -> Iterator[Problem]:
    kind = view.get("type")
    if kind not in ("modal", "home"):
        yield Problem("/view/type", "must be one of modal, home")
        return
    if kind == "modal":
        yield from _text(view.get("title"), "/view/title", MODAL_TITLE_MAX, plain_only=True)
        for key in ("submit", "close"):
            if key in view:
                yield from _text(view[key], f"/view/{key}", MODAL_BUTTON_MAX, plain_only=True)
    for key, limit in (
        ("private_metadata", PRIVATE_METADATA_MAX),
        ("callback_id", CALLBACK_ID_MAX),
        ("external_id", EXTERNAL_ID_MAX),
    ):
        yield from _max_len(view.get(key), f"/view/{key}", limit)
    blocks = view.get("blocks")
    if not isinstance(blocks, list):
        yield Problem("/view/blocks", "must be an array")
        return
    yield from validate_blocks(blocks, max_blocks=SURFACE_BLOCKS_MAX, pointer="/view/blocks")
    has_input = any(isinstance(b, dict) and b.get("type") == "input" for b in blocks)
    if kind == "modal" and has_input and "submit" not in view:
        yield Problem("/view/submit", "must be provided when input blocks are present")


def _block_id_problems(block: Mapping[str, Any], where: str, seen: set[str]) -> Iterator[Problem]:
    block_id = block.get("block_id")
    if block_id is None:
        return
    yield from _max_len(block_id, f"{where}/block_id", BLOCK_ID_MAX)
    if block_id in seen:
        yield Problem(f"{where}/block_id", "must be unique")
    seen.add(block_id)


def _block_problems(block: Mapping[str, Any], where: str) -> Iterator[Problem]:
    kind = block.get("type")
    if kind in _PASS_THROUGH_BLOCKS:
        return
    checker = _BLOCK_CHECKERS.get(kind) if isinstance(kind, str) else None
    if checker is None:
        yield Problem(f"{where}/type", f"unknown block type {kind!r}")
        return
    yield from checker(block, where)


def _section(block: Mapping[str, Any], where: str) -> Iterator[Problem]:
    fields = block.get("fields")
    if "text" not in block and not fields:
        yield Problem(where, "must provide text or fields")
    if "text" in block:
        yield from _text(block["text"], f"{where}/text", TEXT_OBJECT_MAX)
    if fields is not None:
        if not isinstance(fields, list) or len(fields) > SECTION_FIELDS_MAX:
            yield Problem(f"{where}/fields", f"must be less than {SECTION_FIELDS_MAX + 1} items")
        else:
            for i, field in enumerate(fields):
                yield from _text(field, f"{where}/fields/{i}", SECTION_FIELD_MAX)
    if "accessory" in block:
        yield from _element(block["accessory"], f"{where}/accessory")


def _header(block: Mapping[str, Any], where: str) -> Iterator[Problem]:
    yield from _text(block.get("text"), f"{where}/text", HEADER_TEXT_MAX, plain_only=True)


def _actions(block: Mapping[str, Any], where: str) -> Iterator[Problem]:
    elements = block.get("elements")
    if not isinstance(elements, list) or not elements:
        yield Problem(f"{where}/elements", "must provide at least 1 item")
        return
    if len(elements) > ACTIONS_ELEMENTS_MAX:
        yield Problem(f"{where}/elements", f"must be less than {ACTIONS_ELEMENTS_MAX + 1} items")
    action_ids: set[str] = set()
    for i, element in enumerate(elements):
        yield from _element(element, f"{where}/elements/{i}")
        action_id = element.get("action_id") if isinstance(element, dict) else None
        if action_id is not None and action_id in action_ids:
            yield Problem(f"{where}/elements/{i}/action_id", "must be unique within the block")
        if action_id is not None:
            action_ids.add(action_id)


def _context(block: Mapping[str, Any], where: str) -> Iterator[Problem]:
    elements = block.get("elements")
    if not isinstance(elements, list) or not elements:
        yield Problem(f"{where}/elements", "must provide at least 1 item")
        return
    if len(elements) > CONTEXT_ELEMENTS_MAX:
        yield Problem(f"{where}/elements", f"must be less than {CONTEXT_ELEMENTS_MAX + 1} items")
    for i, element in enumerate(elements):
        if isinstance(element, dict) and element.get("type") == "image":
            yield from _image(element, f"{where}/elements/{i}")
        else:
            yield from _text(element, f"{where}/elements/{i}", TEXT_OBJECT_MAX)


def _input(block: Mapping[str, Any], where: str) -> Iterator[Problem]:
    yield from _text(block.get("label"), f"{where}/label", LABEL_MAX, plain_only=True)
    if "hint" in block:
        yield from _text(block["hint"], f"{where}/hint", LABEL_MAX, plain_only=True)
    if "element" not in block:
        yield Problem(f"{where}/element", "must be provided")
    else:
        yield from _element(block["element"], f"{where}/element")


def _image(block: Mapping[str, Any], where: str) -> Iterator[Problem]:
    if "image_url" not in block and "slack_file" not in block:
        yield Problem(where, "must provide image_url or slack_file")
    yield from _max_len(block.get("image_url"), f"{where}/image_url", URL_MAX)
    alt_text = block.get("alt_text")
    if not isinstance(alt_text, str) or not alt_text:
        yield Problem(f"{where}/alt_text", "must be more than 0 characters")
    else:
        yield from _max_len(alt_text, f"{where}/alt_text", LABEL_MAX)
    if "title" in block:
        yield from _text(block["title"], f"{where}/title", LABEL_MAX, plain_only=True)


def _markdown(block: Mapping[str, Any], where: str) -> Iterator[Problem]:
    text = block.get("text")
    if not isinstance(text, str) or not text:
        yield Problem(f"{where}/text", "must be more than 0 characters")
    else:
        yield from _max_len(text, f"{where}/text", MARKDOWN_BLOCK_MAX)


_BLOCK_CHECKERS: dict[str, Callable[[Mapping[str, Any], str], Iterator[Problem]]] = {
    "section": _section,
    "header": _header,
    "actions": _actions,
    "context": _context,
    "input": _input,
    "image": _image,
    "markdown": _markdown,
}


def _element(element: object, where: str) -> Iterator[Problem]:
    if not isinstance(element, dict):
        yield Problem(where, "must be an object")
        return
    yield from _max_len(element.get("action_id"), f"{where}/action_id", ACTION_ID_MAX)
    kind = element.get("type")
    if kind == "button":
        yield from _button(element, where)
    elif kind in _SELECTS or kind == "overflow":
        yield from _options_element(element, where)
    elif kind == "plain_text_input":
        if "placeholder" in element:
            yield from _text(
                element["placeholder"], f"{where}/placeholder", PLACEHOLDER_MAX, plain_only=True
            )
    elif kind == "image":
        yield from _image(element, where)
    elif kind not in _OTHER_ELEMENTS:
        yield Problem(f"{where}/type", f"unknown element type {kind!r}")


def _button(element: Mapping[str, Any], where: str) -> Iterator[Problem]:
    yield from _text(element.get("text"), f"{where}/text", BUTTON_TEXT_MAX, plain_only=True)
    yield from _max_len(element.get("value"), f"{where}/value", BUTTON_VALUE_MAX)
    yield from _max_len(element.get("url"), f"{where}/url", URL_MAX)
    style = element.get("style")
    if style is not None and style not in ("primary", "danger"):
        yield Problem(f"{where}/style", "must be one of primary, danger")


def _options_element(element: Mapping[str, Any], where: str) -> Iterator[Problem]:
    if "placeholder" in element:
        yield from _text(
            element["placeholder"], f"{where}/placeholder", PLACEHOLDER_MAX, plain_only=True
        )
    options = element.get("options") or []
    for i, option in enumerate(options if isinstance(options, list) else []):
        if not isinstance(option, dict):
            yield Problem(f"{where}/options/{i}", "must be an object")
            continue
        yield from _text(option.get("text"), f"{where}/options/{i}/text", OPTION_TEXT_MAX)
        yield from _max_len(option.get("value"), f"{where}/options/{i}/value", OPTION_VALUE_MAX)


def _text(obj: object, where: str, limit: int, *, plain_only: bool = False) -> Iterator[Problem]:
    """A composition text object; ``plain_only`` where Slack accepts only ``plain_text``.

    Keys of the other text type are rejected too (``verbatim`` on plain_text, ``emoji`` on
    mrkdwn): Slack refuses them, and they usually mean the author confused the two types.
    """
    if not isinstance(obj, dict):
        yield Problem(where, "must be a text object")
        return
    kind = obj.get("type")
    if kind not in _TEXT_KEYS:
        yield Problem(f"{where}/type", "must be one of plain_text, mrkdwn")
        return
    if plain_only and kind != "plain_text":
        yield Problem(f"{where}/type", "must be plain_text")
    for key in sorted(set(obj) - _TEXT_KEYS[kind]):
        yield Problem(f"{where}/{key}", f"is not allowed in a {kind} text object")
    text = obj.get("text")
    if not isinstance(text, str) or not text:
        yield Problem(f"{where}/text", "must be more than 0 characters")
    else:
        yield from _max_len(text, f"{where}/text", limit)


def _max_len(value: object, where: str, limit: int) -> Iterator[Problem]:
    if value is None:
        return
    if not isinstance(value, str):
        yield Problem(where, "must be a string")
    elif len(value) > limit:
        yield Problem(where, f"must be less than {limit + 1} characters")
