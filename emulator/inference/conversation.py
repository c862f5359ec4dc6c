"""The chat request and answer in one neutral shape, whatever the API format.

Formats (``formats/``) turn a COHERE, COHEREV2 or GENERIC ``chatRequest`` into a :class:`ChatInput`
and a :class:`Completion` back into that format's response or stream; generators
(``generators/``) only ever see these types.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from .serving import Served


@dataclasses.dataclass
class ToolCall:
    id: str
    name: str
    arguments: dict


@dataclasses.dataclass
class Turn:
    role: str  # "system" | "user" | "assistant" | "tool"
    text: str = ""
    tool_calls: list[ToolCall] = dataclasses.field(default_factory=list)
    tool_call_id: str | None = None
    images: int = 0


@dataclasses.dataclass
class Tool:
    name: str
    description: str = ""
    parameters: dict = dataclasses.field(default_factory=lambda: {"type": "object", "properties": {}})


@dataclasses.dataclass
class ChatInput:
    served: Served
    api_format: str
    turns: list[Turn]
    tools: list[Tool] = dataclasses.field(default_factory=list)
    tool_choice: str = "auto"  # "auto" | "none" | "required" | a tool's name
    documents: list[dict] = dataclasses.field(default_factory=list)
    max_tokens: int | None = None
    temperature: float | None = None
    top_p: float | None = None
    top_k: int | None = None
    seed: int | None = None
    stop: list[str] = dataclasses.field(default_factory=list)
    num_generations: int = 1
    response_schema: dict | None = None  # a JSON schema the answer must validate against
    json_mode: bool = False  # any JSON object
    reasoning_effort: str | None = None
    stream: bool = False
    include_usage: bool = False
    created: str = ""  # the request's time (ISO 8601), for ``timeCreated``
    raw: dict = dataclasses.field(default_factory=dict)  # the chatRequest as sent

    @property
    def last_user_text(self) -> str:
        return next((t.text for t in reversed(self.turns) if t.role == "user"), "")

    @property
    def prompt_text(self) -> str:
        parts = [t.text for t in self.turns]
        parts += [f"{t.name} {t.description}" for t in self.tools]
        parts += [" ".join(str(v) for v in d.values()) for d in self.documents]
        return "\n".join(p for p in parts if p)


@dataclasses.dataclass
class Generation:
    text: str = ""
    tool_calls: list[ToolCall] = dataclasses.field(default_factory=list)
    finish: str = "stop"  # "stop" | "length" | "tool_calls" | "stop_sequence"
    reasoning: str | None = None
    citations: list[dict] = dataclasses.field(default_factory=list)  # {start, end, text, documentIds}


@dataclasses.dataclass
class Completion:
    generations: list[Generation]
    prompt_tokens: int
    completion_tokens: int
    reasoning_tokens: int = 0
    extra: dict[str, Any] = dataclasses.field(default_factory=dict)

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens

    def usage(self) -> dict:
        usage = {
            "promptTokens": self.prompt_tokens,
            "completionTokens": self.completion_tokens,
            "totalTokens": self.total_tokens,
            "promptTokensDetails": {"cachedTokens": 0},
        }
        if self.reasoning_tokens:
            usage["completionTokensDetails"] = {"reasoningTokens": self.reasoning_tokens}
        return usage
