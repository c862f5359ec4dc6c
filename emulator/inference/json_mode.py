"""JSON mode (``responseFormat`` JSON_OBJECT with no schema): the object the prompt asks for.

The prompt is read for the keys it names, in this order, and a JSON schema is made of them; the
answer is then sampled from that schema like any structured output, with the values the prompt
states (``schema_values.sample_valid`` with ``reading.Values``):

- quoted names used as keys: ``with a 'colors' array``, ``Use 'title' and 'author' as keys``,
  ``a single key 'status' set to 'ok'`` (a quoted string after "set to", "equal to", "=" or ":" is
  the value of the key before it);
- ``key: value`` lines and pairs: ``Name: Alice, Age: 30``, ``- founded: 2020``,
  ``- employees: array of 2 employees, each with name and role``;
- a list of nouns after "with", "containing", "including", "fields", "keys" or a colon:
  ``a name, an age as an integer and an occupation``, ``a person's name and age``;
- ``a list of two fruits``, ``three colors``: an array of that many strings under the plural noun.

A key's type is the one the prompt says (``as an integer``, ``(as integer)``, ``as a number``,
``as a boolean``, ``array``/``list of``), else the one its value has, else the one its name suggests
(``age``, ``year``, ``count``... integers; ``price``, ``score``... numbers; ``is_*``, ``has_*``,
``in_stock``... booleans; plural nouns arrays of strings), else string. With no key named, the answer
is ``{"answer": <the generator's reply>}``.
"""

from __future__ import annotations

import re

from .reading import NUMBER_RE, NUMBER_WORDS, QUOTED_RE, normalize, pairs, singular

TYPE_WORDS = [
    (r"integer|int|whole number", "integer"),
    (r"number|float|decimal", "number"),
    (r"boolean|bool|true or false|yes or no", "boolean"),
    (r"array|list", "array"),
    (r"string|text", "string"),
]
INTEGER_NAMES = frozenset("age year founded count number quantity total id rank size population employees_count".split())
NUMBER_NAMES = frozenset("price amount cost score rating temperature weight height salary percentage latitude longitude".split())
BOOLEAN_PREFIXES = ("is_", "has_", "can_", "should_", "in_", "recommend")
ARTICLES = re.compile(r"^(?:a|an|the|some|one|their|its|his|her|your|my)\s+", re.I)
LIST_INTRO = re.compile(
    r"\b(?:with|containing|including|having|fields?|keys?|properties|give me|return|provide|output|produce)\b\s*:?\s*|:\s*",
    re.I,
)
COUNTED = re.compile(rf"\b(?:a list of |an array of |list )?({NUMBER_RE.pattern}|{'|'.join(NUMBER_WORDS)})\s+([a-z]+s)\b", re.I)
STATED = [
    (r"\b(?:named|called)\s+[A-Z]", "name", {"type": "string", "minLength": 1}),
    (r"\b\d+\s+years?\s+old\b|\baged?\s+\d+", "age", {"type": "integer", "minimum": 0}),
    (r"\b(?:lives?|living|based|born)\s+in\s+[A-Z]", "city", {"type": "string", "minLength": 1}),
    (r"\b(?:works?|working)\s+as\s+an?\s+\w", "occupation", {"type": "string", "minLength": 1}),
]
UNITS = frozenset("years hours days minutes seconds months weeks times dollars percent points steps items words".split())
NOT_KEYS = frozenset("json object format keys key fields field explanation markdown raw each only data response answer example".split())


def schema_for(text: str) -> dict | None:
    """The JSON schema of the object ``text`` asks for, or None when it names no key."""
    properties: dict[str, dict] = {}
    _quoted_keys(text, properties)
    _pair_keys(text, properties)
    if not properties:
        _listed_keys(text, properties)
    if not properties:
        _stated_keys(text, properties)
    if not properties:
        _counted_lists(text, properties)
    if not properties:
        return None
    return {"type": "object", "properties": properties, "required": list(properties)}


def _add(properties: dict, name: str, schema: dict) -> None:
    key = re.sub(r"\W+", "_", name.strip().lower()).strip("_")
    if key and key not in NOT_KEYS and key not in properties and len(properties) < 20:
        properties[key] = schema


def _quoted_keys(text: str, properties: dict) -> None:
    last = None
    for match in QUOTED_RE.finditer(text):
        value = next(g for g in match.groups() if g is not None)
        before = text[max(0, match.start() - 14): match.start()].lower()
        if re.search(r"(?:set to|equal to|equals|=|:|value of|value)\s*$", before):
            if last is not None:
                properties[last] = {"const": value}
            continue
        if not re.fullmatch(r"[A-Za-z_][\w -]{0,40}", value):
            continue
        after = text[match.end(): match.end() + 30]
        _add(properties, value, _typed(value, after))
        last = re.sub(r"\W+", "_", value.strip().lower()).strip("_")


def _pair_keys(text: str, properties: dict) -> None:
    for line in text.splitlines():
        found = re.match(r"\s*(?:[-*\u2022]|\d+[.)])?\s*([A-Za-z][\w ]{0,30}?)\s*[:=]\s*(.+)$", line)
        if found and re.match(r"\s*(?:[-*\u2022]|\d+[.)])\s", line):
            _add(properties, found.group(1), _value_schema(found.group(1), found.group(2)))
    for key, value in pairs(text).items():
        if len(key.split()) <= 2 and not re.search(r"\b(?:array|list) of\b", value):
            _add(properties, key, _value_schema(key, value))


def _listed_keys(text: str, properties: dict) -> None:
    for intro in LIST_INTRO.finditer(text):
        rest = re.split(r"[.;\n]|\?|\bthat\b|\bwhich\b|\bwho\b|\bfor\b|\bfrom\b", text[intro.end():], maxsplit=1)[0]
        items = [i for i in re.split(r",\s*(?:and\s+)?|\s+and\s+", rest) if i.strip()]
        if not 2 <= len(items) <= 12:
            continue
        for item in items:
            hint = re.search(r"\(?\bas (?:an? )?([\w ]+?)\)?\s*$|\(([\w ]+)\)\s*$", item)
            noun = re.sub(r"\(.*?\)|\bas (?:an? )?[\w ]+$", "", item).strip()
            noun = ARTICLES.sub("", re.sub(r"^.*?'s\s+", "", noun)).strip()
            if not noun or len(noun.split()) > 3:
                return
            words = normalize(noun).split()
            name = "_".join(words[-2:]) if len(words) > 1 and words[-1] in ("name", "date", "address", "number") else words[-1]
            hinted = _type_of(hint.group(1) or hint.group(2)) if hint else None
            _add(properties, name, {"type": hinted} if hinted else _named_schema(name))
        if properties:
            return


def _stated_keys(text: str, properties: dict) -> None:
    """Facts the prompt states about someone, as keys: ``named Bob`` -> name, ``25 years old`` -> age."""
    for pattern, key, schema in STATED:
        if re.search(pattern, text):
            _add(properties, key, schema)


def _counted_lists(text: str, properties: dict) -> None:
    for match in COUNTED.finditer(text):
        raw, noun = match.group(1).lower(), match.group(2).lower()
        count = int(NUMBER_WORDS.get(raw, 0) or float(raw.replace(",", "")))
        if 1 <= count <= 50 and noun not in NOT_KEYS and noun not in UNITS:
            _add(properties, noun, {"type": "array", "items": {"type": "string"}, "minItems": count, "maxItems": count,
                                    "uniqueItems": True})
    match = re.search(r"\b(?:a )?list of ([a-z]+s)\b", text, re.I)
    if not properties and match:
        _add(properties, match.group(1), {"type": "array", "items": {"type": "string"}, "minItems": 2, "maxItems": 3})


def _typed(name: str, after: str) -> dict:
    hinted = _type_of(after.split(",")[0].split(".")[0])
    if hinted == "array":
        return {"type": "array", "items": {"type": "string"}, "minItems": 3, "maxItems": 3, "uniqueItems": True}
    return {"type": hinted} if hinted else _named_schema(name)


def _value_schema(key: str, value: str) -> dict:
    """The schema of a key whose value the prompt states (``2020``, ``"TechCorp"``, ``array of 2 employees,
    each with name and role``)."""
    value = value.strip()
    listed = re.match(rf"(?:an? )?(?:array|list) of ({NUMBER_RE.pattern}|{'|'.join(NUMBER_WORDS)})?\s*([a-z]+)?", value, re.I)
    if listed:
        raw = (listed.group(1) or "2").lower()
        count = int(NUMBER_WORDS.get(raw, 0) or float(raw))
        fields = re.search(r"each with (.+)$", value, re.I)
        item: dict = {"type": "string"}
        if fields:
            names = [ARTICLES.sub("", f).strip() for f in re.split(r",\s*(?:and\s+)?|\s+and\s+", fields.group(1)) if f.strip()]
            keys = {re.sub(r"\W+", "_", n.lower()): _named_schema(n) for n in names if n}
            item = {"type": "object", "properties": keys, "required": list(keys)}
        return {"type": "array", "items": item, "minItems": count, "maxItems": count}
    unquoted = value.strip("\"'")
    if NUMBER_RE.fullmatch(unquoted):
        return {"const": int(float(unquoted)) if float(unquoted) == int(float(unquoted)) else float(unquoted)}
    if unquoted.lower() in ("true", "false"):
        return {"const": unquoted.lower() == "true"}
    return {"const": unquoted}


def _named_schema(name: str) -> dict:
    key = normalize(name).replace(" ", "_")
    last = key.split("_")[-1]
    if key in INTEGER_NAMES or last in INTEGER_NAMES:
        return {"type": "integer", "minimum": 0}
    if key in NUMBER_NAMES or last in NUMBER_NAMES:
        return {"type": "number", "minimum": 0}
    if key.startswith(BOOLEAN_PREFIXES):
        return {"type": "boolean"}
    if last.endswith("s") and singular(last) != last and last not in ("status", "address", "business", "class"):
        return {"type": "array", "items": {"type": "string"}, "minItems": 2, "maxItems": 3, "uniqueItems": True}
    return {"type": "string", "minLength": 1}


def _type_of(words: str) -> str | None:
    for pattern, kind in TYPE_WORDS:
        if re.search(rf"\b(?:{pattern})\b", words or "", re.I):
            return kind
    return None
