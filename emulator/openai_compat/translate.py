"""OpenAI's shapes to and from the neutral chat (``ChatInput``, ``Completion``): which model serves,
Responses input items and their turns, tools, text formats, output items and usage."""

from __future__ import annotations

from typing import Any, Callable

from ..call import Call
from ..inference import serving
from ..inference.conversation import Completion, Generation, Tool, ToolCall, Turn
from ..inference.formats import common
from ..protocol import errors
from ..protocol.ids import is_ocid, ocid_type
from .objects import new_id

API_FORMAT = "OPENAI"
ROLES = {"user": "user", "assistant": "assistant", "system": "system", "developer": "system"}
TEXT_PARTS = ("input_text", "output_text", "text", "refusal")
# Items a client sends back as it got them (or answers with), and the prefix of their ids.
PASSED_BACK = {
    "function_call": "fc_", "reasoning": "rs_", "mcp_approval_response": "mcpa_", "mcp_approval_request": "mcpr_",
    "mcp_list_tools": "mcpl_", "mcp_call": "mcp_", "file_search_call": "fs_", "web_search_call": "ws_",
    "code_interpreter_call": "ci_",
}
RESPONSES, CHAT_COMPLETIONS = "responses", "chat completions"


def bad_request(message: str, param: str | None = None) -> errors.ServiceError:
    return errors.ServiceError(400, "InvalidParameter", message, param=param)


def served(call: Call, model: str, api: str) -> serving.Served:
    """The model that answers: a name of the catalog (or an alias), a base model's OCID, or a
    dedicated endpoint's OCID. Oracle serves no Cohere model on this API, and Meta models on Chat
    Completions only."""
    if is_ocid(model) and ocid_type(model) == "generativeaiendpoint":
        mode = {"servingType": "DEDICATED", "endpointId": model}
    else:
        mode = {"servingType": "ON_DEMAND", "modelId": model}
    try:
        chosen = serving.resolve(call, mode, "CHAT")
    except errors.ServiceError as exc:
        if exc.status == 404:
            raise errors.ServiceError(404, "NotAuthorizedOrNotFound", f"The model '{model}' does not exist.", param="model") from None
        raise errors.ServiceError(exc.status, "InvalidParameter", exc.message, param="model") from None
    vendor = chosen.profile.vendor
    if vendor == "cohere":
        raise bad_request(f"The model '{model}' is a Cohere model: the OpenAI-compatible API serves none; use the chat API.", "model")
    if vendor == "meta" and api == RESPONSES:
        raise bad_request(f"The model '{model}' is a Meta model: it answers on Chat Completions, not the Responses API.", "model")
    return chosen


# -- Responses input --------------------------------------------------------------------------
def input_items(raw: Any, resolve: Callable[[str], dict | None] = lambda _id: None) -> list[dict]:
    """The request's ``input`` as stored items, each with an ``id``; ``item_reference`` items are
    replaced by the items they name (``resolve``)."""
    if raw is None:
        return []
    if isinstance(raw, str):
        raw = [{"role": "user", "content": raw}]
    items = []
    for index, item in enumerate(raw):
        if not isinstance(item, dict):
            raise bad_request(f"Invalid input[{index}]: an item is a JSON object.", f"input[{index}]")
        kind = item.get("type", "message")
        if kind == "item_reference":
            found = resolve(str(item.get("id")))
            if found is None:
                raise bad_request(f"Invalid input[{index}]: no item with id '{item.get('id')}' to refer to.", f"input[{index}].id")
            items.append(found)
        elif kind == "message":
            items.append(_message_item(item, index))
        elif kind == "function_call_output":
            if not item.get("call_id"):
                raise bad_request(f"Invalid input[{index}]: a function_call_output needs call_id.", f"input[{index}].call_id")
            output = item.get("output", "")
            items.append({"id": item.get("id") or new_id("fco_"), "type": kind, "call_id": item["call_id"],
                          "output": output if isinstance(output, str) else common.dumps(output), "status": "completed"})
        elif kind in PASSED_BACK:
            items.append({**item, "id": item.get("id") or new_id(PASSED_BACK[kind])})
        else:
            raise bad_request(f"Invalid input[{index}]: the emulator does not take '{kind}' items yet.", f"input[{index}].type")
    return items


def _message_item(item: dict, index: int) -> dict:
    role = item.get("role")
    if role not in ROLES:
        raise bad_request(f"Invalid input[{index}].role {role!r}: one of {', '.join(ROLES)}.", f"input[{index}].role")
    content = item.get("content", "")
    if isinstance(content, str):
        content = [{"type": "output_text" if role == "assistant" else "input_text", "text": content}]
    if not isinstance(content, list):
        raise bad_request(f"Invalid input[{index}].content: a string or a list of parts.", f"input[{index}].content")
    for at, part in enumerate(content):
        if not isinstance(part, dict) or part.get("type") not in (*TEXT_PARTS, "input_image", "input_file"):
            raise bad_request(
                f"Invalid input[{index}].content[{at}]: parts are input_text, input_image or input_file.",
                f"input[{index}].content[{at}]",
            )
    return {"id": item.get("id") or new_id("msg_"), "type": "message", "role": role, "status": "completed", "content": content}


def turns_of(items: list[dict], images_ok: bool, model: str) -> list[Turn]:
    turns: list[Turn] = []
    for item in items:
        kind = item["type"]
        if kind == "message":
            parts = item["content"]
            images = sum(p["type"] == "input_image" for p in parts)
            if images and not images_ok:
                raise bad_request(f"The model '{model}' does not read images.", "input")
            text = "\n".join(p.get("text") or "" for p in parts if p["type"] in TEXT_PARTS)
            turns.append(Turn(ROLES[item["role"]], text, images=images))
        elif kind == "function_call":
            call = ToolCall(item.get("call_id") or item["id"], item.get("name") or "", common.arguments_of(item.get("arguments")))
            if turns and turns[-1].role == "assistant" and not turns[-1].text:
                turns[-1].tool_calls.append(call)
            else:
                turns.append(Turn("assistant", tool_calls=[call]))
        elif kind == "function_call_output":
            turns.append(Turn("tool", item["output"], tool_call_id=item["call_id"]))
    return turns


def function_tools(raw: list | None, nested: bool = False) -> list[Tool]:
    """Function tools: flat (``{"type": "function", "name", "parameters"}``, Responses) or
    ``nested`` under ``function`` (Chat Completions)."""
    tools = []
    for index, tool in enumerate(raw or []):
        where = f"tools[{index}]"
        kind = tool.get("type") if isinstance(tool, dict) else None
        if kind != "function":
            raise bad_request(f"Invalid {where}: the emulator does not offer '{kind}' tools yet; use function tools.", f"{where}.type")
        spec = tool.get("function") if nested else tool
        if not isinstance(spec, dict) or not spec.get("name"):
            raise bad_request(f"Invalid {where}: a function tool needs a name.", f"{where}.name")
        parameters = spec.get("parameters")
        parameters = {"type": "object", "properties": {}} if parameters is None else common.check_schema(parameters, f"{where}.parameters")
        tools.append(Tool(spec["name"], spec.get("description") or "", parameters))
    if len(tools) > common.MAX_TOOLS:
        raise bad_request(f"Invalid tools: at most {common.MAX_TOOLS} tools.", "tools")
    return tools


def tool_choice(raw: Any, tools: list[Tool]) -> str:
    if raw is None or (isinstance(raw, dict) and raw.get("type") not in (None, "function")):
        return "auto"  # a built-in tool (tools.py) or allowed_tools: functions stay optional
    if isinstance(raw, str):
        if raw not in ("auto", "none", "required"):
            raise bad_request(f"Invalid tool_choice {raw!r}: auto, none, required or a function.", "tool_choice")
        return raw
    name = raw.get("name") or (raw.get("function") or {}).get("name")
    if name not in {t.name for t in tools}:
        raise bad_request(f"Invalid tool_choice: no function tool named {name!r}.", "tool_choice")
    return name


def response_format(raw: dict | None, where: str) -> tuple[dict | None, bool]:
    """A JSON schema the answer must validate against, or any JSON object (``json_object``)."""
    if not raw or raw.get("type") in (None, "text"):
        return None, False
    if raw["type"] == "json_object":
        return None, True
    if raw["type"] == "json_schema":
        spec = raw.get("json_schema", raw)  # Chat Completions nests it; Responses does not
        schema = spec.get("schema")
        if not isinstance(schema, dict):
            raise bad_request(f"Invalid {where}: json_schema needs a schema.", where)
        return common.check_schema(schema, f"{where} schema ({spec.get('name')})"), False
    raise bad_request(f"Invalid {where}.type {raw['type']!r}: text, json_object or json_schema.", f"{where}.type")


# -- answers ----------------------------------------------------------------------------------
def output_items(generation: Generation, summary: bool, annotations: list[dict] | None = None) -> list[dict]:
    """A generation as Responses output items: reasoning, then the message, then function calls
    (first when there is no text, as clients that look at ``output[0]`` expect)."""
    items = []
    if generation.reasoning:
        items.append(reasoning_item(generation.reasoning, summary))
    if generation.text or not generation.tool_calls:
        status = "incomplete" if generation.finish == "length" else "completed"
        items.append(message_item(generation.text, status, annotations=annotations))
    items += [function_call_item(c) for c in generation.tool_calls]
    return items


def reasoning_item(text: str, summary: bool, item_id: str | None = None) -> dict:
    return {
        "id": item_id or new_id("rs_"),
        "type": "reasoning",
        "summary": [{"type": "summary_text", "text": text}] if summary else [],
        "content": [{"type": "reasoning_text", "text": text}],
        "status": "completed",
    }


def message_item(text: str, status: str = "completed", item_id: str | None = None, annotations: list[dict] | None = None) -> dict:
    return {
        "id": item_id or new_id("msg_"),
        "type": "message",
        "role": "assistant",
        "status": status,
        "content": [output_text(text, annotations)],
    }


def output_text(text: str, annotations: list[dict] | None = None) -> dict:
    return {"type": "output_text", "text": text, "annotations": annotations or [], "logprobs": []}


def function_call_item(call: ToolCall, status: str = "completed") -> dict:
    return {
        "id": new_id("fc_"),
        "type": "function_call",
        "call_id": call.id,
        "name": call.name,
        "arguments": common.dumps(call.arguments),
        "status": status,
    }


NO_USAGE = {
    "input_tokens": 0,
    "input_tokens_details": {"cached_tokens": 0, "cache_write_tokens": 0},
    "output_tokens": 0,
    "output_tokens_details": {"reasoning_tokens": 0},
    "total_tokens": 0,
}


def usage(completion: Completion) -> dict:
    return {
        "input_tokens": completion.prompt_tokens,
        "input_tokens_details": {"cached_tokens": 0, "cache_write_tokens": 0},
        "output_tokens": completion.completion_tokens,
        "output_tokens_details": {"reasoning_tokens": completion.reasoning_tokens},
        "total_tokens": completion.total_tokens,
    }
