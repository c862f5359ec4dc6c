"""``rules``: canned replies and tool calls, matched on the model and the last user message.

A rule (JSON, or YAML in a rules file)::

    {"model": "cohere.*",                  # exact name or glob; default: every model
     "apiFormat": "COHERE",                # optional: COHERE | COHEREV2 | GENERIC
     "pattern": "weather in (\\w+)",       # regex searched in the last user message (case-insensitive)
     "lastTurn": "user",                   # the conversation ends with "user" (default), "tool" results, or "any"
     "reply": "It is sunny in {1}."}       # and/or
     "toolCalls": [{"name": "get_weather", "arguments": {"city": "{1}"}}]}

``{0}`` is the whole match, ``{1}``.. its groups, ``{name}`` a named group and ``{tool}`` the last
tool result; other braces stay as written. A rule with ``toolCalls`` matches only when the request
offers every tool it calls (and ``toolChoice`` is not NONE). Rules are tried in order, first match
wins: the entry's own ``"rules"``, then those posted to ``/_emulator/rules``, then the rules file
(``serve --rules FILE`` / ``OCI_EMULATOR_RULES``). With no match the entry's ``"fallback"``
generator answers (default ``deterministic``). ``maxTokens`` and stop sequences cut a reply.
"""

from __future__ import annotations

import fnmatch
import hashlib
import json
import os
import re
import threading
from typing import Any, Iterator

from ...call import Call
from ...protocol.validation import read_document
from .. import errors, tokens
from ..conversation import ChatInput, Completion, Generation, ToolCall
from ..text import apply_limits
from .base import ConfigError, Delta, Generator, register
from .factory import build, check_options

META_KEY = "rules"
RULE_FIELDS = {"name", "model", "apiFormat", "pattern", "lastTurn", "reply", "toolCalls"}
API_FORMATS = ("COHERE", "COHEREV2", "GENERIC")
LAST_TURNS = ("user", "tool", "any")
PLACEHOLDER = re.compile(r"\{(\w+)\}")


@register("rules")
class Rules(Generator):
    FIELDS = frozenset({"rules", "fallback"})

    @classmethod
    def check(cls, options: dict, where: str) -> None:
        super().check(options, where)
        check_rules(options.get("rules", []), f"{where}.rules")
        if "fallback" in options:
            check_options(options["fallback"], f"{where}.fallback")

    def complete(self, chat: ChatInput, call: Call) -> Completion:
        found = self._match(chat, call)
        if found is None:
            return self._fallback().complete(chat, call)
        return _answer(chat, *found)

    def stream(self, chat: ChatInput, call: Call) -> Iterator[Delta]:
        if self._match(chat, call) is None:
            return self._fallback().stream(chat, call)
        return super().stream(chat, call)

    def matches(self, chat: ChatInput, call: Call) -> bool:
        """Whether a rule answers ``chat`` (else the fallback does)."""
        return self._match(chat, call) is not None

    def _fallback(self) -> Generator:
        return build(self.options.get("fallback") or {"type": "deterministic"})

    def _match(self, chat: ChatInput, call: Call) -> tuple[dict, re.Match] | None:
        rules = [*self.options.get("rules", []), *call.store.meta(META_KEY, []), *file_rules(call.env.settings.rules)]
        for rule in rules:
            found = match(rule, chat)
            if found is not None:
                return rule, found
        return None


def match(rule: dict, chat: ChatInput) -> re.Match | None:
    """The pattern's match in the last user message if ``rule`` applies to ``chat``, else None."""
    model = rule.get("model")
    if model is not None and not fnmatch.fnmatchcase(chat.served.profile.name, model):
        return None
    if rule.get("apiFormat", chat.api_format) != chat.api_format:
        return None
    ends_with_tool = bool(chat.turns) and chat.turns[-1].role == "tool"
    last_turn = rule.get("lastTurn", "user")
    if (last_turn == "user" and ends_with_tool) or (last_turn == "tool" and not ends_with_tool):
        return None
    calls = rule.get("toolCalls") or []
    if calls:
        offered = {t.name for t in chat.tools}
        if chat.tool_choice == "none" or any(c["name"] not in offered for c in calls):
            return None
        if chat.tool_choice not in ("auto", "required") and any(c["name"] != chat.tool_choice for c in calls):
            return None
    return re.search(rule.get("pattern", ""), chat.last_user_text, re.IGNORECASE | re.DOTALL)


def _answer(chat: ChatInput, rule: dict, found: re.Match) -> Completion:
    values = {str(i): g or "" for i, g in enumerate([found.group(0), *found.groups()])}
    values.update({k: v or "" for k, v in found.groupdict().items()})
    values["tool"] = chat.turns[-1].text if chat.turns and chat.turns[-1].role == "tool" else ""
    generations = []
    for index in range(max(1, chat.num_generations)):
        calls = [
            ToolCall(c.get("id") or _call_id(chat, rule, index, n), c["name"], _fill(c.get("arguments", {}), values))
            for n, c in enumerate(rule.get("toolCalls") or [])
        ]
        text, finish = apply_limits(_fill(rule.get("reply", ""), values), chat.stop, chat.max_tokens)
        generations.append(Generation(text=text, tool_calls=calls, finish="tool_calls" if calls else finish))
    completion_tokens = sum(
        tokens.count(g.text) + sum(tokens.count(json.dumps(c.arguments)) + 2 for c in g.tool_calls) for g in generations
    )
    return Completion(
        generations=generations,
        prompt_tokens=tokens.count(chat.prompt_text) + 4 * len(chat.turns),
        completion_tokens=completion_tokens,
    )


def _fill(value: Any, values: dict[str, str]) -> Any:
    """Placeholders replaced in a string, or in every string of a JSON value."""
    if isinstance(value, str):
        return PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), value)
    if isinstance(value, list):
        return [_fill(v, values) for v in value]
    if isinstance(value, dict):
        return {k: _fill(v, values) for k, v in value.items()}
    return value


def _call_id(chat: ChatInput, rule: dict, index: int, n: int) -> str:
    seed = json.dumps([rule, [(t.role, t.text) for t in chat.turns], index, n], sort_keys=True, default=str)
    return "call_" + hashlib.sha256(seed.encode()).hexdigest()[:24]


# -- validation ---------------------------------------------------------------------------------


def check_rules(rules: Any, where: str = "rules") -> None:
    """Raise :class:`ConfigError` naming the field of the first rule that cannot work."""
    if not isinstance(rules, list):
        raise ConfigError(f"{where}: a list of rules.")
    for index, rule in enumerate(rules):
        check_rule(rule, f"{where}[{index}]")


def check_rule(rule: Any, where: str) -> None:
    if not isinstance(rule, dict):
        raise ConfigError(f'{where}: a rule is an object like {{"pattern": "hello", "reply": "Hi!"}}.')
    unknown = set(rule) - RULE_FIELDS
    if unknown:
        raise ConfigError(
            f"{where}: unknown field(s) {', '.join(sorted(unknown))}; a rule has {', '.join(sorted(RULE_FIELDS))}."
        )
    for field in ("name", "model", "pattern", "reply"):
        if field in rule and not isinstance(rule[field], str):
            raise ConfigError(f"{where}.{field}: a string.")
    if "pattern" in rule:
        try:
            re.compile(rule["pattern"])
        except re.error as exc:
            raise ConfigError(f"{where}.pattern: not a regular expression ({exc}).") from None
    if rule.get("apiFormat", "GENERIC") not in API_FORMATS:
        raise ConfigError(f"{where}.apiFormat: one of {', '.join(API_FORMATS)}.")
    if rule.get("lastTurn", "user") not in LAST_TURNS:
        raise ConfigError(f"{where}.lastTurn: one of {', '.join(LAST_TURNS)}.")
    if "reply" not in rule and not rule.get("toolCalls"):
        raise ConfigError(f"{where}: a rule needs a 'reply' or 'toolCalls'.")
    calls = rule.get("toolCalls", [])
    if not isinstance(calls, list):
        raise ConfigError(f'{where}.toolCalls: a list of {{"name": "...", "arguments": {{...}}}}.')
    for n, c in enumerate(calls):
        at = f"{where}.toolCalls[{n}]"
        if not isinstance(c, dict) or not isinstance(c.get("name"), str) or not c["name"]:
            raise ConfigError(f"{at}.name: the name of a tool the request offers.")
        if set(c) - {"id", "name", "arguments"}:
            raise ConfigError(f"{at}: unknown field(s) {', '.join(sorted(set(c) - {'id', 'name', 'arguments'}))}.")
        if not isinstance(c.get("arguments", {}), dict):
            raise ConfigError(f"{at}.arguments: a JSON object.")
        if "id" in c and not isinstance(c["id"], str):
            raise ConfigError(f"{at}.id: a string.")


# -- the rules file ------------------------------------------------------------------------------

_cache: dict[str, tuple[tuple, list]] = {}
_cache_lock = threading.Lock()


def load_file(path: str) -> list[dict]:
    """The rules in a YAML or JSON file: a list of rules, or ``{"rules": [...]}``; ConfigError if invalid."""
    try:
        data = read_document(path, "rules file")
    except ValueError as exc:
        raise ConfigError(f"{exc}.") from None
    if isinstance(data, dict) and set(data) == {"rules"}:
        data = data["rules"]
    if data is None:
        data = []
    try:
        check_rules(data, "rules")
    except ConfigError as exc:
        raise ConfigError(f"the rules file {path}: {exc}") from None
    return data


def file_rules(path: str | None) -> list[dict]:
    """The rules file's rules, read again only when it changes; a 400 naming the file if it is invalid."""
    if not path:
        return []
    try:
        st = os.stat(path)
        stamp = (st.st_mtime_ns, st.st_size)
    except OSError:
        stamp = None
    with _cache_lock:
        cached = _cache.get(path)
        if cached is not None and cached[0] == stamp:
            return cached[1]
    try:
        rules = load_file(path)
    except ConfigError as exc:
        raise errors.bad_request(f"The emulator's {exc}") from None
    with _cache_lock:
        _cache[path] = (stamp, rules)
    return rules
