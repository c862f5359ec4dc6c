"""The Responses API's built-in tools, offline: ``file_search``, ``web_search``, ``mcp`` and
``code_interpreter``.

They run before the model answers, each leaving an output item (``file_search_call``,
``web_search_call``, ``mcp_list_tools`` / ``mcp_approval_request`` / ``mcp_call``,
``code_interpreter_call``), and what they find becomes the answer's grounding (documents the
generators cite): ``file_citation`` and ``url_citation`` annotations point back at it.

- file_search ranks the named vector stores' chunks for the user's question (``vector_stores.py``).
- web_search ranks a local result set the admin API sets (``POST /_emulator/web``), never the web.
- mcp lists and calls the tools of an MCP server the emulator can reach; with ``require_approval``
  (the default) the call waits for an ``mcp_approval_response`` in a later request.
- code_interpreter runs in a container (named, or made for the call); nothing is executed: the
  code is written from the question and what it prints comes from the generator.
"""

from __future__ import annotations

import dataclasses
import json
import random
from typing import Any, Callable

from ..call import Call
from ..inference.conversation import ToolCall, Turn as ChatTurn
from ..inference.schema_values import sample
from ..inference.text import keywords
from . import containers, mcp_client, retrieval, translate, vector_stores
from .objects import new_id
from .scope import Scope

BUILTIN = ("file_search", "web_search", "web_search_preview", "mcp", "code_interpreter")
WEB_RESULTS = "web_results"  # meta: the result set web_search ranks
CODE_WORDS = {"code", "python", "calculate", "compute", "plot", "chart", "analyze", "analyse", "csv", "average",
              "sum", "run", "script", "execute", "graph", "statistics"}


@dataclasses.dataclass
class Tooling:
    items: list[dict] = dataclasses.field(default_factory=list)  # output items, before the answer
    documents: list[dict] = dataclasses.field(default_factory=list)  # grounding, cited by the generators
    sources: dict[str, dict] = dataclasses.field(default_factory=dict)  # document id -> its annotation
    waiting: bool = False  # an MCP approval is asked: no answer yet

    def turns(self) -> list[ChatTurn]:
        """What the tools found, as a tool call and its result at the end of the chat, so that every
        generator (the deterministic one, rules, a proxied model) answers from it."""
        if not self.documents:
            return []
        found = ToolCall("call_builtin_tools", "builtin_tools", {})
        text = "\n\n".join(doc["text"] for doc in self.documents)
        return [ChatTurn("assistant", tool_calls=[found]), ChatTurn("tool", text, tool_call_id=found.id)]


def split(raw: list | None) -> tuple[list[dict], list[dict]]:
    """Function tools, and built-in ones."""
    tools = raw or []
    builtin = [t for t in tools if isinstance(t, dict) and t.get("type") in BUILTIN]
    return [t for t in tools if t not in builtin], builtin


@dataclasses.dataclass(frozen=True)
class Turn:
    """What the tools of one response work from."""

    call: Call
    scope: Scope
    question: str  # the user's last words
    context: list[dict]  # earlier items (a previous response's, a conversation's)
    items: list[dict]  # this request's input items
    include: set[str]
    forced: str | None  # a built-in tool the tool_choice requires
    generate: Callable[[str], str]  # the generator's answer to a prompt (what code prints)


def run(turn: Turn, builtin: list[dict]) -> Tooling:
    done = Tooling()
    for at, tool in enumerate(builtin):
        kind = "web_search" if tool["type"] == "web_search_preview" else tool["type"]
        RUNNERS[kind](turn, tool, done, f"tools[{at}]")
    return done


def _file_search(turn: Turn, tool: dict, done: Tooling, where: str) -> None:
    call, question = turn.call, turn.question
    store_ids = tool.get("vector_store_ids")
    if not isinstance(store_ids, list) or not store_ids:
        raise translate.bad_request(f"Invalid {where}: file_search needs vector_store_ids.", f"{where}.vector_store_ids")
    limit = tool.get("max_num_results", 10)
    ranking = tool.get("ranking_options") or {}
    hits = []
    for store_id in store_ids:
        hits += vector_stores.search(call, store_id, question, limit, tool.get("filters"), float(ranking.get("score_threshold") or 0))
    hits = sorted(hits, key=lambda h: -h["score"])[:limit]
    results = [{"file_id": h["file_id"], "filename": h["filename"], "score": h["score"], "text": h["content"][0]["text"],
                "attributes": h["attributes"]} for h in hits]
    done.items.append({"id": new_id("fs_"), "type": "file_search_call", "status": "completed", "queries": [question],
                       "results": results if "file_search_call.results" in turn.include else None})
    for at, hit in enumerate(results):
        doc_id = f"file-result-{len(done.documents)}"
        done.documents.append({"id": doc_id, "title": hit["filename"], "text": hit["text"]})
        done.sources[doc_id] = {"type": "file_citation", "file_id": hit["file_id"], "filename": hit["filename"], "index": 0}


def _web_search(turn: Turn, tool: dict, done: Tooling, where: str) -> None:
    question = turn.question
    pages = turn.call.store.meta(WEB_RESULTS, [])
    index = retrieval.Index([retrieval.Chunk(p["url"], p.get("title", ""), {}, f"{p.get('title', '')}\n{p.get('content', '')}") for p in pages])
    hits = index.search(question, 5)
    by_url = {p["url"]: p for p in pages}
    found = [by_url[chunk.file_id] for _, chunk in hits]
    action: dict[str, Any] = {"type": "search", "query": question}
    if "web_search_call.action.sources" in turn.include:
        action["sources"] = [{"type": "url", "url": p["url"]} for p in found]
    done.items.append({"id": new_id("ws_"), "type": "web_search_call", "status": "completed", "action": action})
    for page in found:
        doc_id = f"web-result-{len(done.documents)}"
        done.documents.append({"id": doc_id, "title": page.get("title", ""), "text": page.get("content", "")})
        done.sources[doc_id] = {"type": "url_citation", "url": page["url"], "title": page.get("title", ""), "start_index": 0, "end_index": 0}


def _mcp(turn: Turn, tool: dict, done: Tooling, where: str) -> None:
    call, question, context = turn.call, turn.question, turn.context
    label, url = tool.get("server_label"), tool.get("server_url")
    if not label or not url:
        raise translate.bad_request(f"Invalid {where}: an mcp tool needs server_label and server_url.", where)
    headers = dict(tool.get("headers") or {})
    if tool.get("authorization"):
        headers["authorization"] = f"Bearer {tool['authorization']}"
    with call.waiting():
        client = mcp_client.connect(url, headers)
        offered = client.tools()
    allowed = tool.get("allowed_tools")
    names = allowed.get("tool_names") if isinstance(allowed, dict) else allowed
    offered = [t for t in offered if names is None or t["name"] in names]
    if not any(i.get("type") == "mcp_list_tools" and i.get("server_label") == label for i in context):
        done.items.append({"id": new_id("mcpl_"), "type": "mcp_list_tools", "server_label": label,
                           "tools": [{"name": t["name"], "input_schema": t.get("inputSchema") or {}, "description": t.get("description"),
                                      "annotations": t.get("annotations")} for t in offered]})
    approvals = [i for i in turn.items if i.get("type") == "mcp_approval_response"]
    if approvals:
        asked = {i["id"]: i for i in context if i.get("type") == "mcp_approval_request" and i.get("server_label") == label}
        for answer in approvals:
            request = asked.get(answer.get("approval_request_id"))
            if request is not None and answer.get("approve"):
                _call_mcp(call, client, label, request["name"], json.loads(request["arguments"]), request["id"], done)
        return
    chosen = _matching(question, offered)
    if chosen is None:
        return
    arguments = sample(chosen.get("inputSchema") or {"type": "object"}, random.Random(question), keywords(question, 8))
    if _needs_approval(tool.get("require_approval", "always"), chosen["name"]):
        done.items.append({"id": new_id("mcpr_"), "type": "mcp_approval_request", "server_label": label,
                           "name": chosen["name"], "arguments": json.dumps(arguments)})
        done.waiting = True
        return
    _call_mcp(call, client, label, chosen["name"], arguments, None, done)


def _call_mcp(call, client, label: str, name: str, arguments: dict, approval: str | None, done: Tooling) -> None:
    with call.waiting():
        output, failed = client.call(name, arguments)
    done.items.append({"id": new_id("mcp_"), "type": "mcp_call", "server_label": label, "name": name,
                       "arguments": json.dumps(arguments), "output": None if failed else output,
                       "error": {"type": "mcp_tool_execution_error", "message": output} if failed else None,
                       "status": "failed" if failed else "completed", "approval_request_id": approval})
    if not failed:
        doc_id = f"mcp-result-{len(done.documents)}"
        done.documents.append({"id": doc_id, "title": name, "text": output})


def _needs_approval(policy: Any, name: str) -> bool:
    if policy == "never":
        return False
    if isinstance(policy, dict):
        never = (policy.get("never") or {}).get("tool_names") or []
        always = (policy.get("always") or {}).get("tool_names")
        return name not in never and (always is None or name in always)
    return True


def _matching(question: str, tools: list[dict]) -> dict | None:
    """The MCP tool the user's words name (as the deterministic generator picks function tools)."""
    words = set(keywords(question, 50))
    for tool in tools:
        if words & set(keywords(f"{tool['name'].replace('_', ' ')} {tool.get('description') or ''}", 50)):
            return tool
    return None


def _code_interpreter(turn: Turn, tool: dict, done: Tooling, where: str) -> None:
    question = turn.question
    if turn.forced != "code_interpreter" and not CODE_WORDS & {w.strip("?.,!").lower() for w in question.split()}:
        return
    spec = tool.get("container")
    if isinstance(spec, str):
        container = containers.load(turn.call, turn.scope, spec, running=True)
    elif isinstance(spec, dict) and spec.get("type", "auto") == "auto":
        container = containers.create(turn.call, turn.scope, "code-interpreter", spec.get("memory_limit", "1g"),
                                      file_ids=tuple(spec.get("file_ids") or ()))
    else:
        raise translate.bad_request(f"Invalid {where}.container: a container id or {{\"type\": \"auto\"}}.", f"{where}.container")
    code = f"# {question}\nresult = answer({', '.join(repr(w) for w in keywords(question, 4))})\nprint(result)\n"
    printed = turn.generate(f"What does this Python program print?\n{code}").split("\n")[0]
    done.items.append({"id": new_id("ci_"), "type": "code_interpreter_call", "status": "completed",
                       "container_id": container.id, "code": code,
                       "outputs": [{"type": "logs", "logs": printed}] if "code_interpreter_call.outputs" in turn.include else None})
    done.documents.append({"id": f"code-output-{len(done.documents)}", "title": "output", "text": printed})


def annotations(done: Tooling, citations: list[dict]) -> list[dict]:
    """The answer's citations of tool results, as OpenAI annotations."""
    out = []
    for citation in citations:
        for doc_id in citation.get("documentIds") or []:
            source = done.sources.get(doc_id)
            if source is None:
                continue
            if source["type"] == "file_citation":
                out.append({**source, "index": citation["end"]})
            else:
                out.append({**source, "start_index": citation["start"], "end_index": citation["end"]})
    return out


RUNNERS = {"file_search": _file_search, "web_search": _web_search, "mcp": _mcp, "code_interpreter": _code_interpreter}
