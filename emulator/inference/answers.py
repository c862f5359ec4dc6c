"""Answers the deterministic generator can give for sure, by documented rules (no model).

It reads the conversation (every format's history arrives here as :class:`Turn` s) and answers
the last user turn when one of these rules applies, first match first:

1. **Say / repeat**: ``Say 'hello' and nothing else``, ``Repeat after me: ...``, ``Reply with "ok"``
   -> the quoted (or the few following) words, as they were written.
2. **Counting**: ``Count from 1 to 5`` (``one number per line`` puts one on each line).
3. **Arithmetic**: ``What is 17 * 23?``, ``12 times 8``, ``the sum of 3 and 4``, ``2 to the power of 10``,
   ``the square root of 81``; ``my favorite number plus 3`` uses a recalled number.
4. **Recall**: a question about something the user stated in an earlier turn (or earlier in the same
   turn) gets that fact back. Statements read (per sentence of the user's turns):
   ``my <thing> is <value>`` (``My favourite colour is blue``, ``my dog's name is Rex``),
   ``I am <Name>`` / ``I'm <Name>`` / ``call me <Name>``, ``I am <n> years old``,
   ``I live in <place>``, ``I am from <place>``, ``I work at <org>``, ``I work as a <job>``,
   ``I like|love|enjoy|prefer <thing>``, ``Remember (this|the) <number|word|code|...>: <value>``,
   ``<thing> named|called <Name>`` (``a loyal horse named Thunder``), ``<term> means <definition>``,
   and ``<subject> is <value>`` (``The capital of Zorbia is Quix``). A question matches a fact when it
   names the fact's words (``What is my favorite color?``, ``Where do I live?``, ``What number did I ask
   you to remember?``, ``What was the knight's horse named?``); the latest statement wins. A question
   about the user (``my``, ``I``) that no statement answers gets "You have not told me ...".
5. **Acknowledgement**: a turn that only states facts about the user gets them confirmed
   (``Noted: your favorite color is blue.``).

Each answer comes with the steps that led to it, which reasoning models show as their reasoning.
"""

from __future__ import annotations

import dataclasses
import math
import re

from .conversation import Turn
from .reading import normalize, number_text, quoted, to_number

SENTENCE_RE = re.compile(r"[^.!?\n]+[.!?]*")
# words that carry no meaning when a question is matched against a fact
FILLER = frozenset(
    "a an the is are was were be been am do does did what which who whom whose where when how why "
    "you your me i my mine it its of to in on at for and or tell please remember again can could would "
    "will shall should said say mentioned told ask asked earlier before".split()
)
ABOUT_USER = frozenset(("my", "i", "me", "mine", "i'm"))
SPEAKS_OF_USER_RE = re.compile(r"\b(?:my|i|i'm|remember|call me)\b", re.I)


@dataclasses.dataclass
class Answer:
    text: str
    steps: list[str]  # why: quoted facts, the computation


@dataclasses.dataclass
class Fact:
    kind: str  # "my" | "name" | "age" | "live" | "from" | "work" | "job" | "like" | "remember" | "named" | "means" | "is"
    subject: str  # normalized words the fact is about ("favorite color", "horse", "capital of zorbia")
    value: str
    sentence: str  # as the user wrote it
    turn: Turn | None = None  # where

    @property
    def about_user(self) -> bool:
        return self.kind not in ("named", "means", "is")

    def cues(self) -> set[str]:
        """Words a question must hold to ask for this fact."""
        if self.kind in CUES:
            return CUES[self.kind]
        if self.kind == "named":
            return {_stem(self.subject)}
        return _content(self.subject) or {self.kind}

    def phrase(self) -> str:
        """The fact, said back to the user."""
        return PHRASES[self.kind].format(subject=self.subject, value=self.value).replace("  ", " ")


CUES = {"name": {"name"}, "age": {"old"}, "live": {"live"}, "from": {"from"}, "work": {"work"}, "job": {"job"}}
PHRASES = {
    "my": "Your {subject} is {value}",
    "name": "Your name is {value}",
    "age": "You are {value} years old",
    "live": "You live in {value}",
    "from": "You are from {value}",
    "work": "You work at {value}",
    "job": "You work as {value}",
    "like": "You like {value}",
    "remember": "The {subject} you asked me to remember is {value}",
    "named": "The {subject} is named {value}",
    "means": "{subject} means {value}",
    "is": "{subject} is {value}",
}
# (kind, a word the sentence must hold -- a cheap test before the pattern --, pattern)
STATEMENTS: list[tuple[str, str, re.Pattern]] = [
    (kind, cue, re.compile(pattern, re.I))
    for kind, cue, pattern in [
        ("remember", "remember", r"\bremember (?:this |that |the |my )?(?P<subject>number|word|code|name|password|color|colour|date|city|phrase)?\s*(?:is)?\s*:?\s*(?P<value>.+)"),
        ("age", "i", r"\bI(?: am|'m) (?P<value>\d+)(?: years?(?: old)?)?\b"),
        ("name", "", r"\b(?:my name's|call me|I am called|I'm called)\s+(?P<value>(?-i:[A-Z])[\w'-]+(?: (?-i:[A-Z])[\w'-]+)?)"),
        ("my", "my", r"\bmy (?P<subject>(?:[\w'-]+ ){0,3}?[\w'-]+?)(?: is| are| was|:| =)\s+(?:called |named )?(?P<value>.+)"),
        ("name", "", r"\b(?:I am|I'm|this is)\s+(?P<value>(?-i:[A-Z])[\w'-]+(?: (?-i:[A-Z])[\w'-]+)?)"),
        ("live", "i", r"\bI (?:live|reside|stay) in (?P<value>.+)"),
        ("from", "from", r"\bI(?: am|'m) from (?P<value>.+)"),
        ("work", "work", r"\bI work (?:at|for) (?P<value>.+)"),
        ("job", "i", r"\bI(?: work as|'m| am) (?P<value>an? [a-z][\w -]+)"),
        ("like", "i", r"\bI (?:really )?(?:like|love|enjoy|prefer) (?P<value>.+)"),
        ("named", "", r"\b(?P<subject>[\w'-]+(?: [\w'-]+){0,5}) (?:named|called) (?P<value>(?-i:[A-Z])[\w'-]+(?: (?-i:[A-Z])[\w'-]+)*)"),
        ("means", "means", r"^(?P<subject>[\w' -]+?) means (?P<value>.+)"),
        ("is", "", r"^(?P<subject>(?:the |a |an )?[\w'-]+(?: [\w'-]+){0,5}) (?:is|are|was|were) (?P<value>.+)"),
    ]
]
WORDS_NEEDED = {"named": ("named", "called"), "is": (" is ", " are ", " was ", " were "), "name": ("call", " am ", "i'm", "this is")}
ARITHMETIC_WORDS = [
    (r"\bmultiplied by\b|\btimes\b|×|(?<=\d)\s*x\s*(?=\d)", "*"),
    (r"\bdivided by\b|÷", "/"),
    (r"\bplus\b|\badded to\b", "+"),
    (r"\bminus\b|\bless\b", "-"),
    (r"\bto the power of\b|\^", "**"),
    (r"\bsquared\b", "**2"),
    (r"\bcubed\b", "**3"),
]
FUNCTIONS = [
    (re.compile(r"\b(?:the )?sum of (-?[\d.]+) and (-?[\d.]+)", re.I), "({0} + {1})"),
    (re.compile(r"\b(?:the )?product of (-?[\d.]+) and (-?[\d.]+)", re.I), "({0} * {1})"),
    (re.compile(r"\b(?:the )?difference between (-?[\d.]+) and (-?[\d.]+)", re.I), "({0} - {1})"),
    (re.compile(r"\b(?:the )?square root of (-?[\d.]+)", re.I), "sqrt({0})"),
    (re.compile(r"\b([\d.]+) ?(?:%|percent) of ([\d.]+)", re.I), "({0} * {1} / 100)"),
]
EXPRESSION_RE = re.compile(r"(?<![\w.-])(?:sqrt\()?[-(]*\d[\d.]*(?:\s*(?:\*\*|[-+*/])\s*[-(]*(?:sqrt\()?\d[\d.]*\)*)+\)*|sqrt\(\d[\d.]*\)")


def answer(turns: list[Turn]) -> Answer | None:
    """What the last user turn asks for, when a rule above knows; else None."""
    last = next((t for t in reversed(turns) if t.role == "user"), None)
    if last is None or not last.text.strip():
        return None
    text = last.text.strip()
    found = _say(text) or _count(text)
    if found:
        return found
    # facts matter to a question, or to a turn about the user (acknowledged); reading them costs
    known = facts(turns) if "?" in text or SPEAKS_OF_USER_RE.search(text) else []
    return _arithmetic(text, known) or _recall(text, known) or _noted(text, [f for f in known if f.turn is last])


def facts(turns: list[Turn]) -> list[Fact]:
    """What the user stated, oldest first (questions are not statements)."""
    out = []
    for turn in turns:
        if turn.role != "user":
            continue
        for sentence in SENTENCE_RE.findall(turn.text):
            sentence = sentence.strip()
            if sentence and not sentence.endswith("?"):
                fact = _statement(sentence.rstrip(".!"))
                if fact is not None:
                    fact.turn = turn
                    out.append(fact)
    return out


def _statement(sentence: str) -> Fact | None:
    lowered = f" {sentence.lower()} "
    for kind, cue, pattern in STATEMENTS:
        if (cue and f"{cue} " not in lowered) or not any(w in lowered for w in WORDS_NEEDED.get(kind, ("",))):
            continue
        match = pattern.search(sentence)
        if match is None:
            continue
        groups = match.groupdict()
        value = _value(groups["value"])
        subject = normalize(groups.get("subject") or "")
        if kind == "my" and subject == "name":
            kind = "name"
        if kind == "named":
            subject = subject.split()[-1] if subject else ""
        elif kind == "remember":
            subject = subject or ("number" if re.fullmatch(r"-?[\d.,]+", value) else "word")
        if kind in ("is", "means") and (len(subject.split()) > 6 or subject in FILLER or not _content(subject)):
            continue
        if value:
            return Fact(kind, subject, value, sentence)
    return None


def _value(raw: str) -> str:
    value = raw.strip().strip("\"'“”‘’").strip()
    value = re.split(r",? (?:and|but|so|because) (?:i|you|my|please)\b|[,;]", value, maxsplit=1, flags=re.I)[0]
    return re.sub(r"\bmy\b", "your", value.strip(), flags=re.I).rstrip(".!")


def _content(text: str) -> set[str]:
    return {_stem(w) for w in normalize(text).split() if w not in FILLER and w not in ("s",)}


def _stem(word: str) -> str:
    for suffix in ("ing", "ed", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def _recall(text: str, known: list[Fact]) -> Answer | None:
    question = next((s for s in SENTENCE_RE.findall(text) if s.strip().endswith("?")), None)
    if question is None:
        return None
    question = re.sub(r"\bwho am i\b", "what is my name", question, flags=re.I)
    asked = _content(question)
    words = set(normalize(question).split())
    best, best_score = None, 0
    for index, fact in enumerate(known):
        if fact.about_user and not words & ABOUT_USER:
            continue
        cues = fact.cues()
        if not cues <= asked:
            continue
        score = len(cues) * 10 + index
        if score > best_score:
            best, best_score = fact, score
    if best is not None:
        return Answer(f"{_sentence(best.phrase())}.", [f'Earlier the user said: "{best.sentence}".'])
    about = re.search(r"\bmy ((?:[\w'-]+ ){0,3}?[\w'-]+)\s*\?", question, re.I)
    if about:
        thing = normalize(about.group(1))
        return Answer(f"You have not told me your {thing} yet.", [f"The user never said what their {thing} is."])
    return None


def _noted(text: str, said_now: list[Fact]) -> Answer | None:
    stated = [f for f in said_now if f.about_user]
    if not stated or "?" in text:
        return None
    said = " ".join(f"{_sentence(f.phrase())}." for f in stated)
    if any(f.kind == "remember" for f in stated):
        return Answer(f"Okay, I will remember that. {said}", ["The user asks me to remember something."])
    return Answer(f"Noted. {said}", ["The user tells me about themselves."])


def _say(text: str) -> Answer | None:
    match = re.search(r"\b(?:say|repeat(?: after me)?|reply with|respond with|answer with|print|output)\b"
                      r"(?: exactly| only| just)?\s*:?\s*", text, re.I)
    if match is None:
        return None
    rest = text[match.end():]
    said = quoted(rest)
    if said and rest.lstrip().startswith(("'", '"', "“", "‘")):
        words = said[0]
    else:
        plain = re.match(r"([\w' -]{1,40}?)(?:\s+and nothing else|\s+only|[.!,?]|$)", rest)
        if plain is None or len(plain.group(1).split()) > 5 or not plain.group(1).strip():
            return None
        words = plain.group(1).strip()
    return Answer(words, [f'The user asks me to say "{words}".'])


def _count(text: str) -> Answer | None:
    match = re.search(r"\bcount (?:from (-?\d+) )?(?:to|up to|until) (-?\d+)", text, re.I)
    if match is None:
        return None
    start, end = int(match.group(1) or 1), int(match.group(2))
    step = 1 if end >= start else -1
    values = [str(n) for n in range(start, end + step, step)][:200]
    separator = "\n" if re.search(r"\bline\b", text, re.I) else ", "
    return Answer(separator.join(values), [f"Counting from {start} to {end}."])


def _arithmetic(text: str, known: list[Fact]) -> Answer | None:
    if "?" not in text and not re.match(r"\s*(?:what|calculate|compute|evaluate|solve|work out|how much)\b", text, re.I):
        return None
    steps = []
    expression = text
    for fact in known:  # "my favorite number plus 3": the recalled number takes the phrase's place
        phrase = f"my {fact.subject}" if fact.kind == "my" else None
        if phrase and re.fullmatch(r"-?[\d.,]+", fact.value) and phrase in normalize(expression):
            expression = re.sub(r"\bmy\s+" + r"\s+".join(map(re.escape, phrase.split()[1:])), fact.value, expression,
                                flags=re.I)
            steps.append(f'Earlier the user said: "{fact.sentence}".')
    expression = expression.replace(",", "") if re.search(r"\d,\d{3}", expression) else expression
    for pattern, template in FUNCTIONS:
        expression = pattern.sub(lambda m, t=template: t.format(*m.groups()), expression)
    for pattern, symbol in ARITHMETIC_WORDS:
        expression = re.sub(pattern, f" {symbol} ", expression, flags=re.I)
    match = EXPRESSION_RE.search(expression)
    if match is None:
        return None
    formula = re.sub(r"\s+", " ", match.group(0)).strip()
    try:
        value = _Parser(formula).parse()
    except (ValueError, ZeroDivisionError, OverflowError):
        return None
    shown = formula.replace("**", "^")
    steps.append(f"{shown} = {number_text(value)}.")
    lead = " ".join(f"{_sentence(f.phrase())}." for f in known if steps[:-1] and f'"{f.sentence}"' in steps[0])
    return Answer(f"{lead} {shown} = {number_text(value)}.".strip(), steps)


class _Parser:
    """``+ - * / **``, parentheses and ``sqrt()`` over decimal numbers, by precedence (no ``eval``)."""

    TOKEN_RE = re.compile(r"\s*(\*\*|[-+*/()]|sqrt|\d+(?:\.\d+)?)")

    def __init__(self, text: str):
        self.tokens = self.TOKEN_RE.findall(text)
        if "".join(self.tokens) != re.sub(r"\s+", "", text):
            raise ValueError(text)
        self.at = 0

    def parse(self) -> float:
        value = self._sum()
        if self.at != len(self.tokens):
            raise ValueError("trailing tokens")
        return value

    def _peek(self) -> str | None:
        return self.tokens[self.at] if self.at < len(self.tokens) else None

    def _take(self) -> str:
        token = self._peek()
        if token is None:
            raise ValueError("unexpected end")
        self.at += 1
        return token

    def _sum(self) -> float:
        value = self._product()
        while self._peek() in ("+", "-"):
            value = value + self._product() if self._take() == "+" else value - self._product()
        return value

    def _product(self) -> float:
        value = self._power()
        while self._peek() in ("*", "/"):
            value = value * self._power() if self._take() == "*" else value / self._power()
        return value

    def _power(self) -> float:
        base = self._unary()
        if self._peek() == "**":
            self._take()
            exponent = self._power()
            if abs(exponent) > 1000:
                raise OverflowError
            return base**exponent
        return base

    def _unary(self) -> float:
        token = self._take()
        if token == "-":
            return -self._unary()
        if token == "(":
            value = self._sum()
            if self._take() != ")":
                raise ValueError("unbalanced")
            return value
        if token == "sqrt":
            if self._take() != "(":
                raise ValueError("sqrt(")
            value = self._sum()
            self._take()
            return math.sqrt(value)
        return to_number(token)


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]

