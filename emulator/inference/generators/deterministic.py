"""The default generator: answers derived from the request by documented rules and a hash of it.

The same request always gets the same answer. What it can answer for sure it answers (``answers.py``:
say/repeat, counting, arithmetic, recall of facts stated earlier in the conversation); otherwise it
writes a few sentences about the question's words, which ``seed``, ``temperature`` and the generation
index vary. Tools are called when the user's words match a tool's name or description (an arithmetic question
matches add/multiply/... tools), when a system or user message names the tool, or when the question
names one of its enum options (or ``toolChoice`` requires one), with
arguments that validate against the tool's JSON schema and take the values the prompt gives; a
response schema gets JSON that validates against it, filled from the prompt too; JSON mode without a
schema answers the object the prompt describes (``json_mode.py``). Reasoning models think first
(``reasoning.py``). ``maxTokens`` and stop sequences cut the text and set the finish reason.
"""

from __future__ import annotations

import json
import re
import uuid

from ...call import Call
from .. import tokens
from ..answers import Answer, answer
from ..conversation import ChatInput, Completion, Generation, Tool, ToolCall
from ..json_mode import schema_for
from ..reading import Values
from ..reasoning import think
from ..schema_values import sample_valid
from ..text import STOPWORDS, apply_limits, keywords, reply, rng_for
from .base import Generator, register


# the words of an arithmetic question that name what a tool does ("What is 5 plus 3?" -> add_numbers)
OPERATIONS = {
    r"\+|\bplus\b|\bsum\b|\badd": ("add", "sum", "addition"),
    r"\*|\btimes\b|\bmultipl|\bproduct\b": ("multiply", "product", "multiplication"),
    r"(?<=\d) ?- ?(?=\d)|\bminus\b|\bsubtract": ("subtract", "difference", "subtraction"),
    r"/|\bdivided\b|\bdivide": ("divide", "division", "quotient"),
}


@register("deterministic")
class Deterministic(Generator):
    def complete(self, chat: ChatInput, call: Call) -> Completion:
        known = answer(chat.turns) if chat.turns and chat.turns[-1].role == "user" else None
        generations = [self._one(chat, index, known) for index in range(max(1, chat.num_generations))]
        completion_tokens = sum(tokens.count(g.text) + _tool_tokens(g) for g in generations)
        reasoning = sum(tokens.count(g.reasoning or "") for g in generations)
        return Completion(
            generations=generations,
            prompt_tokens=tokens.count(chat.prompt_text) + 4 * len(chat.turns),
            completion_tokens=completion_tokens + reasoning,
            reasoning_tokens=reasoning,
        )

    def _one(self, chat: ChatInput, index: int, known: Answer | None) -> Generation:
        rng = rng_for(
            chat.served.profile.name,
            [(t.role, t.text, [(c.name, c.arguments) for c in t.tool_calls], t.tool_call_id) for t in chat.turns],
            [(t.name, t.parameters) for t in chat.tools],
            chat.documents,
            chat.temperature,
            chat.top_p,
            chat.seed,
            index,
            chat.response_schema,
        )
        thought = None
        if chat.served.profile.supports_reasoning:
            thought = think(chat.last_user_text, known.steps if known else [], chat.reasoning_effort, rng, chat.max_tokens)
        budget = chat.max_tokens - tokens.count(thought or "") if chat.max_tokens is not None else None
        tools = _tools_to_call(chat)
        if tools:
            calls = [
                ToolCall(
                    f"call_{uuid.UUID(int=rng.getrandbits(128)).hex[:24]}",
                    t.name,
                    sample_valid(t.parameters, rng, _argument_words(chat.last_user_text, t), Values(chat.last_user_text)),
                )
                for t in tools
            ]
            return Generation(tool_calls=calls, finish="tool_calls", reasoning=thought)
        if chat.response_schema is not None or chat.json_mode:
            schema = chat.response_schema or schema_for(chat.last_user_text)
            if schema is None:
                value = {"answer": known.text if known else reply(rng, _subject(chat))}
            else:
                value = sample_valid(schema, rng, keywords(chat.prompt_text, 8), Values(chat.last_user_text))
            return Generation(text=json.dumps(value), reasoning=thought)
        text = known.text if known else reply(rng, _subject(chat))
        citations = _citations(text, chat.documents)
        text, finish = apply_limits(text, chat.stop, budget)
        return Generation(text=text, finish=finish, reasoning=thought,
                          citations=[c for c in citations if c["end"] <= len(text)])


def _subject(chat: ChatInput) -> str:
    """What the answer should be about: the last user turn, or the tool results that answer it
    (their values first, so the answer reports what the tools found)."""
    results = []
    for turn in reversed(chat.turns):
        if turn.role != "tool":
            break
        results.insert(0, _values(turn.text))
    if results:
        return f"{' '.join(results)} {chat.last_user_text}"
    return chat.last_user_text or chat.prompt_text


def _values(text: str) -> str:
    """The values of a JSON tool result (its keys are field names, not findings), or the text."""
    try:
        data = json.loads(text)
    except ValueError:
        return text
    out: list[str] = []

    def walk(value) -> None:
        if isinstance(value, dict):
            for v in value.values():
                walk(v)
        elif isinstance(value, list):
            for v in value:
                walk(v)
        elif value is not None:
            out.append(str(value))

    walk(data)
    return " ".join(out) or text


def _tools_to_call(chat: ChatInput) -> list[Tool]:
    """Tools are called when the turn asks for them: never after tool results, unless forced."""
    if not chat.tools or chat.tool_choice == "none":
        return []
    if chat.turns and chat.turns[-1].role == "tool":
        return []
    if chat.tool_choice not in ("auto", "required"):
        return [t for t in chat.tools if t.name == chat.tool_choice][:1]
    asked = chat.last_user_text
    words = set(keywords(asked, 50)) | {w for op, names in OPERATIONS.items() if re.search(op, asked) for w in names}
    instructions = " ".join(t.text for t in chat.turns if t.role in ("system", "user"))
    matching = [
        t for t in chat.tools
        if words & set(keywords(f"{t.name.replace('_', ' ')} {t.description}", 50))
        or re.search(rf"\b{re.escape(t.name)}\b", instructions)  # "Use the query_metrics tool"
        or _options_named(t.parameters, asked)  # "the CPU usage" for a parameter with enum cpu
    ]
    if not matching and chat.tool_choice == "required":
        matching = chat.tools[:1]
    return matching[:1]


def _options_named(parameters: dict, text: str) -> bool:
    """Whether the text names one of the enum options of the tool's (top-level) parameters."""
    options = [o for p in (parameters.get("properties") or {}).values() if isinstance(p, dict) for o in p.get("enum") or ()]
    return any(isinstance(o, str) and len(o) > 1 and re.search(rf"\b{re.escape(o)}\b", text, re.I) for o in options)


def _argument_words(text: str, tool: Tool) -> list[str]:
    """The user's words that could be a tool's arguments: not the words that named the tool."""
    naming = set(keywords(f"{tool.name.replace('_', ' ')} {tool.description}", 50))
    words = re.findall(r"[A-Za-z][A-Za-z0-9_-]{2,}", text)
    picked = [w for w in dict.fromkeys(words) if w.lower() not in STOPWORDS and w.lower() not in naming]
    return picked or keywords(text, 8)


def _citations(text: str, documents: list[dict]) -> list[dict]:
    """Cite each document whose words the answer uses, at the first place it uses one."""
    out = []
    low = text.lower()
    for index, doc in enumerate(documents):
        doc_id = str(doc.get("id", f"doc_{index}"))
        for word in keywords(" ".join(str(v) for v in doc.values()), 20):
            at = low.find(word)
            if at >= 0:
                out.append({"start": at, "end": at + len(word), "text": text[at : at + len(word)], "documentIds": [doc_id]})
                break
    return out


def _tool_tokens(generation: Generation) -> int:
    return sum(tokens.count(json.dumps(c.arguments)) + 2 for c in generation.tool_calls)
