"""The legacy text operations: ``generateText`` (COHERE and LLAMA runtimes) and ``summarizeText``.

Their models (``cohere.command``, ``cohere.command-light``, ``meta.llama-2-70b-chat``) are retired
on demand, so ``serving.resolve`` answers on-demand calls with the retirement 400 and they are
served through dedicated endpoints.

generateText: the text is ``text.reply`` seeded by the request (prompt, sampling parameters,
generation index), so it is deterministic. COHERE keeps a stop sequence in the text (SDK: "The
generated text will include this stop sequence") and reports ``COMPLETE`` or ``MAX_TOKENS``;
LLAMA drops it (SDK: "The returned output will not contain the stop strings") and reports
``stop`` or ``length``. ``maxTokens`` caps each generated text (the COHERE docstring says it
"includes input plus output tokens"; the emulator counts the output only). Likelihoods (COHERE
``returnLikelihoods``, LLAMA ``logProbs``) are made up but consistent: a token's value depends on
the token, its position and the one before; ``likelihood`` is the mean over the generated tokens.
A LLAMA prompt plus ``maxTokens`` beyond the context (4,096) is a 400, as the SDK documents;
a longer COHERE prompt is a 400 unless ``truncate`` is START or END. ``isStream`` sends ``{"index", "text"}`` deltas and one ``{"index", "text": "", "finishReason"}``
per generation (the stream shape of these retired models is **unconfirmed**).

summarizeText: extractive. Sentences are scored by how frequent their words are in the whole
input (the first sentence gets a small bonus, words of ``additionalCommand`` a large one); the
best ones are kept in their original order. ``length`` SHORT/MEDIUM/LONG keeps 2/4/6 sentences,
AUTO about a third of the input (2 to 6); ``format`` BULLETS writes ``- `` lines, AUTO uses bullets
when the input itself is a list; ``extractiveness`` HIGH keeps sentences verbatim, MEDIUM and AUTO
drop leading connectives and parentheses, LOW also opens with an overview of the input's topics.
"""

from __future__ import annotations

import hashlib
import math
import re
import uuid
from collections import Counter

from ..call import Call, Result, operation
from . import errors, tokens
from .lexical import terms
from .params import choice, integer, number
from .serving import Served, resolve
from .text import STOPWORDS, apply_limits, reply, rng_for, stream_pieces

RUNTIMES = {"cohere": "COHERE", "meta": "LLAMA"}
MAX_GENERATIONS = 5
RETURN_LIKELIHOODS = ("NONE", "ALL", "GENERATION")
TRUNCATE = ("NONE", "START", "END")


# generateText ----------------------------------------------------------------------------------
@operation
def generate_text(call: Call) -> Result:
    body = call.body
    served = resolve(call, body["servingMode"], "TEXT_GENERATION")
    request = body["inferenceRequest"]
    runtime = request["runtimeType"]
    expected = RUNTIMES.get(served.profile.vendor)
    if expected and runtime != expected:
        raise errors.bad_request(
            f"The model {served.profile.name} uses runtimeType {expected}; the request has {runtime}."
        )
    if runtime == "COHERE":
        generations, response = _cohere(call, served, request)
    else:
        generations, response = _llama(call, served, request)
    if request.get("isStream"):
        return Result(stream=_stream(generations))
    return Result(
        body={"modelId": served.model_id, "modelVersion": served.model_version, "inferenceResponse": response}
    )


def _common(served: Served, request: dict, temperature_max: float, penalty_min: float) -> tuple[int, int | None]:
    for field in ("frequencyPenalty", "presencePenalty"):
        number(request, field, penalty_min, 2.0, "inferenceRequest.")
    number(request, "temperature", 0.0, temperature_max, "inferenceRequest.")
    number(request, "topP", 0.0, 1.0, "inferenceRequest.")
    count = integer(request, "numGenerations", 1, MAX_GENERATIONS, "inferenceRequest.") or 1
    max_tokens = integer(request, "maxTokens", 1, served.profile.context_tokens, "inferenceRequest.")
    return count, max_tokens


def _prompt(request: dict) -> str:
    prompt = (request.get("prompt") or "").rstrip()  # SDK: trailing white space is trimmed
    if not prompt.strip():
        raise errors.bad_request("The field 'inferenceRequest.prompt' must be a non-empty string.")
    return prompt


def _seed(served: Served, request: dict, prompt: str, index: int):
    keys = ("temperature", "topK", "topP", "frequencyPenalty", "presencePenalty")
    return rng_for(served.profile.name, prompt, [request.get(k) for k in keys], index)


def _cohere(call: Call, served: Served, request: dict) -> tuple[list[dict], dict]:
    count, max_tokens = _common(served, request, 5.0, 0.0)
    integer(request, "topK", 0, 500, "inferenceRequest.")
    likelihoods = choice(request, "returnLikelihoods", RETURN_LIKELIHOODS, "NONE", "inferenceRequest.")
    truncate = choice(request, "truncate", TRUNCATE, "NONE", "inferenceRequest.")
    prompt = _fit_prompt(served, _prompt(request), truncate)
    stops = [s for s in request.get("stopSequences") or () if s]
    generated = []
    for index in range(count):
        raw = reply(_seed(served, request, prompt, index), prompt)
        text, finish = raw, "COMPLETE"
        hits = [(raw.find(s), -len(s), s) for s in stops if s in raw]
        if hits:
            at, _, stop = min(hits)
            text = raw[: at + len(stop)]  # Cohere keeps the stop sequence
        if max_tokens is not None and tokens.count(text) > max_tokens:
            text, finish = tokens.cut(text, max_tokens), "MAX_TOKENS"
        values = _token_values(text)
        item = {
            "id": str(uuid.uuid4()),
            "text": text,
            "likelihood": round(sum(v for _, v in values) / len(values), 4) if values else 0.0,
            "finishReason": finish,
        }
        if likelihoods in ("ALL", "GENERATION"):
            shown = (_token_values(prompt) if likelihoods == "ALL" else []) + values
            item["tokenLikelihoods"] = [{"token": t, "likelihood": v} for t, v in shown]
        generated.append(item)
    response = {"runtimeType": "COHERE", "generatedTexts": generated, "timeCreated": call.stamp}
    if request.get("isEcho"):
        response["prompt"] = prompt
    return generated, response


def _fit_prompt(served: Served, prompt: str, truncate: str) -> str:
    limit = served.profile.context_tokens
    count = tokens.count(prompt)
    if count <= limit:
        return prompt
    if truncate == "NONE":
        raise errors.bad_request(
            f"The prompt has {count} tokens, more than the {limit} tokens of {served.profile.name}; "
            "shorten it or set truncate to START or END."
        )
    return tokens.cut(prompt, limit) if truncate == "END" else tokens.cut_start(prompt, limit)


def _llama(call: Call, served: Served, request: dict) -> tuple[list[dict], dict]:
    count, max_tokens = _common(served, request, 2.0, -2.0)
    integer(request, "topK", -1, None, "inferenceRequest.")
    log_probs = integer(request, "logProbs", 0, 20, "inferenceRequest.")
    prompt = _prompt(request)
    limit, used = served.profile.context_tokens, tokens.count(prompt)
    if used + (max_tokens or 0) > limit:
        raise errors.bad_request(
            f"This model's maximum context length is {limit} tokens. However, you requested "
            f"{used + (max_tokens or 0)} tokens ({used} in the prompt, {max_tokens or 0} for the completion). "
            "Please reduce the length of the prompt or maxTokens."
        )
    stops = [s for s in request.get("stop") or () if s]
    choices = []
    for index in range(count):
        text, finish = apply_limits(reply(_seed(served, request, prompt, index), prompt), stops, max_tokens)
        item = {"index": index, "text": text, "finishReason": "length" if finish == "length" else "stop"}
        if log_probs is not None:
            item["logprobs"] = _logprobs(text, log_probs)
        if request.get("isEcho"):
            item["text"] = prompt + text
            if log_probs is not None:  # offsets count in the text returned
                item["logprobs"]["textOffset"] = [o + len(prompt) for o in item["logprobs"]["textOffset"]]
        choices.append(item)
    return choices, {"runtimeType": "LLAMA", "created": call.stamp, "choices": choices}


def _token_values(text: str) -> list[tuple[str, float]]:
    """Each token of ``text`` with a made-up log-likelihood that depends on its position and neighbour."""
    out, prev = [], ""
    for i, token in enumerate(tokens.tokens(text)):
        n = int.from_bytes(hashlib.blake2b(f"{i}|{prev}|{token}".encode(), digest_size=4).digest(), "big")
        out.append((token, -round((n / 0xFFFFFFFF) ** 2 * 4, 4)))
        prev = token
    return out


def _logprobs(text: str, top: int) -> dict:
    matches = list(tokens.TOKEN_RE.finditer(text))
    values = _token_values(text)
    alternates = ["the", "a", ",", ".", "and", "to", "of", "is", "in", "it"]
    top_logprobs = []
    for token, value in values:
        entries = {token: str(value)}
        for alt in alternates:
            if len(entries) >= top:
                break
            entries.setdefault(alt, str(round(value - 1.5 - len(entries) * 0.7, 4)))
        top_logprobs.append(entries if top else {})
    return {
        "textOffset": [m.start() for m in matches],
        "tokenLogprobs": [v for _, v in values],
        "tokens": [t for t, _ in values],
        "topLogprobs": top_logprobs,
    }


def _stream(generations: list[dict]):
    for index, gen in enumerate(generations):
        for piece in stream_pieces(gen["text"]):
            yield {"index": index, "text": piece}
        yield {"index": index, "text": "", "finishReason": gen["finishReason"]}


# summarizeText ---------------------------------------------------------------------------------
LENGTHS = ("SHORT", "MEDIUM", "LONG", "AUTO")
FORMATS = ("PARAGRAPH", "BULLETS", "AUTO")
EXTRACTIVENESS = ("LOW", "MEDIUM", "HIGH", "AUTO")
SENTENCES = {"SHORT": 2, "MEDIUM": 4, "LONG": 6}
SENTENCE_END_RE = re.compile(r"(?:(?<=[.!?])|(?<=[.!?][\"')\]]))\s+(?=[A-Z0-9\"'(\[])")  # not inside "4.2" or "D.C. is"
LIST_LINE_RE = re.compile(r"^\s*(?:[-*\u2022]|\d+[.)])\s+", re.M)
CONNECTIVES_RE = re.compile(
    r"^(?:however|also|in addition|moreover|furthermore|additionally|so|and|but|then|finally|first|second|third)"
    r"\b,?\s+",
    re.I,
)
COMMAND_FILLER = frozenset(terms("focusing on a summary; generate, summarize, write, written, make, keep, emphasize"))


@operation
def summarize_text(call: Call) -> Result:
    body = call.body
    served = resolve(call, body["servingMode"], "TEXT_SUMMARIZATION")
    text = body["input"]
    length = choice(body, "length", LENGTHS, "AUTO")
    fmt = choice(body, "format", FORMATS, "AUTO")
    extractiveness = choice(body, "extractiveness", EXTRACTIVENESS, "AUTO")
    number(body, "temperature", 0.0, 5.0)
    if not text.strip():
        raise errors.bad_request("The input to summarize must not be empty.")
    count, limit = tokens.count(text), served.profile.context_tokens
    if count > limit:
        raise errors.bad_request(
            f"The input has {count} tokens, more than the {limit} tokens {served.profile.name} accepts."
        )
    summary = summarize(text, length, fmt, extractiveness, body.get("additionalCommand") or "")
    out = {"id": str(uuid.uuid4())}
    if body.get("isEcho"):
        out["input"] = text
    out.update(summary=summary, modelId=served.model_id, modelVersion=served.model_version)
    return Result(body=out)


def summarize(text: str, length: str, fmt: str, extractiveness: str, command: str = "") -> str:
    lines = LIST_LINE_RE.sub("", text).splitlines()
    sentences = [s.strip() for line in lines for s in SENTENCE_END_RE.split(line) if terms(s)]
    if not sentences:
        return text.strip()
    n = len(sentences)
    want = SENTENCES.get(length) or (n if n <= 3 else max(2, min(6, math.ceil(n / 3))))
    want = min(want, n)
    freq = Counter(terms(text))
    focus = set(terms(command)) - COMMAND_FILLER

    def score(i: int) -> float:
        words = set(terms(sentences[i]))
        value = sum(freq[w] for w in words) / math.sqrt(len(words) + 1)
        value *= 1.2 if i == 0 else 1.0
        return value * (1 + 2 * len(words & focus))

    chosen = sorted(sorted(range(n), key=lambda i: (-score(i), i))[:want])
    picked = [sentences[i] for i in chosen]
    if extractiveness != "HIGH":
        picked = [_trim(s) for s in picked]
    if extractiveness == "LOW":
        topics = _topics(text, 3)
        overview = f"The text is about {', '.join(topics[:-1])} and {topics[-1]}." if len(topics) > 1 else None
        if overview:
            picked = [overview] + picked[: max(1, want - 1)]
    bullets = fmt == "BULLETS" or (fmt == "AUTO" and len(LIST_LINE_RE.findall(text)) >= 2)
    return "\n".join(f"- {s}" for s in picked) if bullets else " ".join(picked)


def _topics(text: str, count: int) -> list[str]:
    """The most frequent content words (ties: the first seen first)."""
    words = [w.lower() for w in re.findall(r"[A-Za-z][A-Za-z-]{2,}", text) if w.lower() not in STOPWORDS]
    counts = Counter(words)
    return sorted(counts, key=lambda w: (-counts[w], words.index(w)))[:count]


def _trim(sentence: str) -> str:
    out = re.sub(r"\s*\([^()]*\)", "", CONNECTIVES_RE.sub("", sentence)).strip()
    return out[:1].upper() + out[1:] if out else sentence
