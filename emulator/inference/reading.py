"""What a prompt states, read with plain rules (regular expressions, no model): quoted strings,
``key: value`` pairs, numbers, proper names, and the value a field name points to.

The deterministic generator uses it to answer (``answers.py``), to fill JSON-mode objects
(``json_mode.py``) and tool arguments (``schema_values.py`` takes its values as hints).
"""

from __future__ import annotations

import re

NUMBER_WORDS = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "twenty": 20, "hundred": 100,
}  # fmt: skip
NUMBER_RE = re.compile(r"(?<![\w.])-?\d+(?:,\d{3})*(?:\.\d+)?(?![\w])")
QUOTED_RE = re.compile(r"'([^'\n]{1,200})'(?!\w)|\"([^\"\n]{1,200})\"|“([^”\n]{1,200})”|‘([^’\n]{1,200})’")
# ``name: Alice``, ``- founded: 2020``, ``Age = 30`` (one value per clause)
PAIR_RE = re.compile(r"(?:^|[\n,;(.!?]|\band\b|-)\s*([A-Za-z][\w ]{0,30}?)\s*[:=]\s*(\"[^\"\n]*\"|'[^'\n]*'|[^,;\n)]+)")
PROPER_RE = re.compile(r"\b[A-Z][a-zA-Z'-]+(?:\s+(?:[A-Z][a-zA-Z'-]+|of|de|van|von|da))*\b|\b[A-Z]{2,}\b")
ACRONYMS = frozenset("JSON XML YAML CSV API ID IDS URL URI HTTP HTTPS SQL AI LLM OCI PDF HTML UUID".split())
# US spellings, so "favourite colour" and "favorite color" are the same fact
SPELLINGS = {"favourite": "favorite", "colour": "color", "colours": "colors", "organisation": "organization"}
SENTENCE_START_WORDS = frozenset(
    "a an the i my what which who where when how why is are do does did can could would should will "
    "please tell give show list create generate return make write say use get find it this that there "
    "remember extract hello hi yes no ok okay and but or if then also".split()
)
CAPITALIZED_WORDS = SENTENCE_START_WORDS | frozenset("only just all none exactly not no never always".split())


def normalize(text: str) -> str:
    """Lower case, US spellings, single spaces: the form facts and questions are compared in."""
    words = re.findall(r"[\w'-]+", (text or "").lower())
    return " ".join(SPELLINGS.get(w, w) for w in words)


def quoted(text: str) -> list[str]:
    """The strings the text quotes, in order."""
    return [next(g for g in m.groups() if g is not None) for m in QUOTED_RE.finditer(text or "")]


def numbers(text: str) -> list[float]:
    """The numbers written in the text (digits, or small number words), in order."""
    out = []
    for match in re.finditer(rf"{NUMBER_RE.pattern}|\b(?:{'|'.join(NUMBER_WORDS)})\b", text or "", re.I):
        token = match.group(0).lower()
        out.append(float(NUMBER_WORDS[token]) if token in NUMBER_WORDS else to_number(token))
    return out


def to_number(token: str) -> float:
    return float(token.replace(",", ""))


def number_text(value: float) -> str:
    """A number as a person writes it: ``391``, ``2.5``, ``0.333333``."""
    if value == int(value) and abs(value) < 1e15:
        return str(int(value))
    return f"{value:.6g}"


def pairs(text: str) -> dict[str, str]:
    """``key: value`` and ``key = value`` statements, keyed by their normalized key."""
    out: dict[str, str] = {}
    for key, value in PAIR_RE.findall(text or ""):
        key = normalize(key)
        value = value.strip().strip("\"'").strip()
        if key and value and len(key.split()) <= 3:
            out.setdefault(key, value)
    return out


def proper_names(text: str) -> list[str]:
    """Capitalized words and runs of them (``San Francisco``, ``Sir Galahad``), sentence-initial
    function words left out, in order, each once."""
    out: list[str] = []
    for match in PROPER_RE.finditer(text or ""):
        words = match.group(0).split()
        while words and words[0].lower() in SENTENCE_START_WORDS:
            words = words[1:]
        name = " ".join(words)
        if name and name not in out and name.upper() not in ACRONYMS and name.lower() not in CAPITALIZED_WORDS:
            out.append(name)
    return out


def after(text: str, words: str, pattern: str = r"([\w'-]+(?:\s+[A-Z][\w'-]*)*)") -> str | None:
    """The value that follows one of ``words`` (a regex alternation) in the text: a quoted string
    right after them (``user ID 'abc123'``), or ``pattern`` (a word, or a proper name of several words)
    after ``is``, ``was``, ``:`` or ``=`` (``my city is Paris``)."""
    match = re.search(rf"\b(?:{words})\b\s*(?:(?:is|was|are|:|=)\s*)?(?:{QUOTED_RE.pattern})", text or "", re.I)
    match = match or re.search(rf"\b(?:{words})\b\s*(?:is|was|are|:|=)\s*{pattern}", text or "", re.I)
    if match is None:
        return None
    value = next((g for g in match.groups() if g is not None), None)
    return value.strip(".,;:!?") if value else None


def value_for(field: str, text: str) -> str | None:
    """What the text gives for a field named ``field`` (``user_id``, ``city``, ``duration_hours``):
    a ``field: value`` pair, else the quoted string or word after the field's words."""
    words = [w for w in re.split(r"[_\W]+|(?<=[a-z])(?=[A-Z])", field) if w]
    if not words:
        return None
    key = normalize(" ".join(words))
    found = pairs(text).get(key)
    if found:
        return found
    phrase = r"[\s_-]*".join(re.escape(w) for w in words)
    value = after(text, phrase)
    if value and normalize(value) not in SENTENCE_START_WORDS:
        return value
    return None


PLACE_FIELDS = frozenset("city location place country region town destination origin address locations places cities countries".split())
ORG_FIELDS = frozenset("company organization organisation employer org companies organizations orgs".split())
PERSON_FIELDS = frozenset("name person author user customer people persons names authors users".split())
VOCABULARY = {
    "name": ["Alice Martin", "Bob Chen", "Carmen Diaz", "David Okafor", "Emma Larsen"],
    "occupation": ["software engineer", "teacher", "nurse", "architect", "chef"],
    "color": ["red", "green", "blue", "yellow", "purple"],
    "fruit": ["apple", "banana", "cherry", "mango", "orange"],
    "animal": ["cat", "dog", "horse", "rabbit", "owl"],
    "city": ["Paris", "Tokyo", "Lisbon", "Chicago", "Nairobi"],
    "country": ["France", "Japan", "Portugal", "Canada", "Kenya"],
    "company": ["Acme Corp", "Globex", "Initech", "Umbrella Labs", "Hooli"],
    "title": ["The Silent Sea", "Northern Lights", "A Quiet Year", "Paper Moons", "The Long Road"],
    "author": ["Jane Austen", "Haruki Murakami", "Chinua Achebe", "Ursula K. Le Guin", "Italo Calvino"],
    "planet": ["Mercury", "Venus", "Earth", "Mars", "Jupiter"],
    "day": ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"],
    "language": ["Python", "Java", "Go", "Rust", "TypeScript"],
}
SYNONYMS = {"job": "occupation", "profession": "occupation", "role": "occupation", "colour": "color",
            "organization": "company", "employer": "company", "book": "title", "person": "name", "writer": "author",
            "location": "city", "place": "city", "town": "city"}
FIELD_UNITS = {"age": r"years?(?: old)?|yrs?", "price": r"dollars?|usd"}


def singular(word: str) -> str:
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("ches", "shes", "xes", "sses")):
        return word[:-2]
    if word.endswith("s") and not word.endswith(("ss", "us", "is")) and len(word) > 3:
        return word[:-1]
    return word


def field_words(field: str) -> list[str]:
    """``duration_hours`` -> ``["duration", "hours"]``, ``userId`` -> ``["user", "id"]``."""
    return [w.lower() for w in re.split(r"[_\W]+|(?<=[a-z])(?=[A-Z])", field) if w]


def is_person(words: set[str] | list[str]) -> bool:
    """``name``, ``user_name``, ``author``: a person; ``metric_name``, ``file_name``: not one."""
    words = set(words)
    if "name" in words or "names" in words:
        return words <= PERSON_FIELDS | {"full", "first", "last", "contact", "employee", "customer", "display"}
    return bool(words & PERSON_FIELDS)


def vocabulary(field: str) -> list[str]:
    """Plausible values for a field the prompt says nothing about (``name``, ``colors``, ``city``)."""
    words = field_words(field)
    if ("name" in words or "names" in words) and not is_person(words):
        return []
    for word in reversed(words):
        key = SYNONYMS.get(singular(word), singular(word))
        if key in VOCABULARY:
            return VOCABULARY[key]
    return []


class Values:
    """The values a prompt gives for named fields (tool arguments, JSON-mode keys, structured output).

    ``for_field(name, schema)`` answers, in order: an enum option the text mentions; a ``name: value``
    pair or the quoted string or word after the field's words; for numbers, the number next to the
    field's words (``6 hours``, ``25 years old``) or else the text's numbers in turn (``5 plus 3``);
    for booleans, whether the text mentions the field (``in stock``) without ``not``; for names, places
    and organizations, the proper names of the text (places after "in", organizations after "at");
    None when the text gives nothing (the caller samples a value)."""

    def __init__(self, text: str):
        self.text = text or ""
        self.numbers = numbers(self.text)
        self.next_number = 0
        self.names = proper_names(self.text)
        self.used: set[tuple[str, str]] = set()

    def for_field(self, name: str, schema: dict) -> object | None:
        kind = schema.get("type")
        kind = next((k for k in kind if k != "null"), None) if isinstance(kind, list) else kind
        if schema.get("enum"):
            return self._option(schema["enum"])
        if kind in ("integer", "number"):
            return self._number(name, kind)
        if kind == "boolean":
            return self._flag(name)
        if kind == "array":
            items = schema.get("items") if isinstance(schema.get("items"), dict) else {}
            if items.get("type", "string") == "string" and not items.get("enum"):
                found = self._names(name)
                return found or None
            return None
        if kind in (None, "string") and not schema.get("format") and not schema.get("pattern"):
            return self._string(name)
        return None

    def claim(self, name: str, value: object) -> None:
        """``value`` is taken for ``name`` (a constant): nested fields of the same name get others."""
        self.used.add((name, str(value)))

    def _option(self, options: list) -> object | None:
        for option in options:
            if isinstance(option, str) and re.search(rf"\b{re.escape(option)}\b", self.text, re.I):
                return option
        return None

    def _number(self, name: str, kind: str) -> float | int | None:
        words = field_words(name)
        units = "|".join([re.escape(w) for w in words if len(w) > 2] + [FIELD_UNITS[w] for w in words if FIELD_UNITS.get(w)])
        found = None
        if units:
            match = re.search(rf"({NUMBER_RE.pattern})\s*(?:{units})\b|\b(?:{units})\b\s*(?:is|of|=|:)?\s*({NUMBER_RE.pattern})",
                              self.text, re.I)
            if match:
                found = to_number(match.group(1) or match.group(2))
        if found is None:
            explicit = value_for(name, self.text)
            if explicit and NUMBER_RE.fullmatch(explicit.strip()):
                found = to_number(explicit)
        if found is None and self.next_number < len(self.numbers):
            found = self.numbers[self.next_number]
            self.next_number += 1
        if found is None:
            return None
        return int(found) if kind == "integer" and found == int(found) else (found if kind == "number" else None)

    def _flag(self, name: str) -> bool | None:
        words = [w for w in field_words(name) if w not in ("is", "has", "in")]
        if not words or not re.search(rf"\b{re.escape(words[-1])}", self.text, re.I):
            return None
        return not re.search(rf"\b(?:not|no|out of|un\w*)\s+(?:\w+\s+)?{re.escape(words[-1])}", self.text, re.I)

    def _string(self, name: str) -> str | None:
        explicit = value_for(name, self.text)
        if explicit and (name, explicit) not in self.used:  # stated once, used once (not for nested namesakes)
            self.used.add((name, explicit))
            return explicit
        found = [n for n in self._names(name) if (name, n) not in self.used]
        if found:
            self.used.add((name, found[0]))
        return found[0] if found else None

    def _names(self, name: str) -> list[str]:
        words = set(field_words(name))
        if words & PLACE_FIELDS:
            return self._proper_after(r"in|near|to|around")
        if words & ORG_FIELDS:
            return self._proper_after(r"at|for|with|from|by")
        if is_person(words):
            places = set(self._proper_after(r"in|near|to|from|at|for|with|by"))
            return [n for n in self.names if n not in places]
        return []

    def _proper_after(self, prepositions: str) -> list[str]:
        return [n for n in self.names if re.search(rf"\b(?:{prepositions})\s+{re.escape(n)}\b", self.text)]
