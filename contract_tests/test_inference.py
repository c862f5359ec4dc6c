"""On-demand inference (free of dedicated units): a conversation that grows turn by turn, and
embeddings at and beyond their limits (96 inputs, the model's dimensions)."""

from __future__ import annotations

import math

from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule
from oci.generative_ai_inference import models

from .machines import expect_error, run_machine
from .rules import CountsKeyRules
from .shared import COHERE_CHAT_MODEL, EMBED_MODEL, GENERIC_CHAT_MODEL

MAX_INPUTS = 96
DEFAULT_DIMENSIONS = 1536  # cohere.embed-v4.0
DIMENSIONS = (256, 512, 1024, 1536)
MAX_TURNS = 8
WORDS = st.sampled_from(["ocean", "vector", "database", "cloud", "emulator", "contract", "test", "river"])
TEXTS = st.lists(WORDS, min_size=1, max_size=6).map(" ".join)
SOME_INPUTS = st.lists(TEXTS, min_size=1, max_size=MAX_INPUTS)
ALL_INPUTS = st.lists(TEXTS, min_size=MAX_INPUTS, max_size=MAX_INPUTS)  # the limit itself, often


def cosine(a: list[float], b: list[float]) -> float:
    dot = sum(x * y for x, y in zip(a, b))
    return dot / (math.sqrt(sum(x * x for x in a)) * math.sqrt(sum(y * y for y in b)) or 1.0)


class InferenceMachine(CountsKeyRules, RuleBasedStateMachine):
    KEY_RULES = ("generic chat", "cohere chat", "embeddings", "too many inputs 400", "no input 400",
                 "unsupported dimensions 400")

    def __init__(self, ctx):
        super().__init__()
        self.ctx = ctx
        self.count_key_rules(ctx.tally)
        self.messages: list = []  # the GENERIC conversation
        self.history: list = []  # the COHERE chat history
        self.prompt_tokens: list[int] = []  # per GENERIC turn: the conversation only grows

    def chat(self, model: str, request) -> models.ChatResult:
        return self.ctx.inference.chat(
            models.ChatDetails(
                compartment_id=self.ctx.compartment,
                serving_mode=models.OnDemandServingMode(model_id=model),
                chat_request=request,
            )
        ).data

    @staticmethod
    def check_usage(usage, max_tokens: int) -> None:
        assert usage.total_tokens == usage.prompt_tokens + usage.completion_tokens
        assert 0 <= usage.completion_tokens <= max_tokens, f"{usage.completion_tokens} tokens > maxTokens {max_tokens}"

    @precondition(lambda self: len(self.messages) < 2 * MAX_TURNS)
    @rule(text=TEXTS, max_tokens=st.integers(1, 40))
    def say_generic(self, text, max_tokens):
        self.messages.append(models.UserMessage(content=[models.TextContent(text=text)]))
        request = models.GenericChatRequest(messages=list(self.messages), max_tokens=max_tokens)
        result = self.chat(GENERIC_CHAT_MODEL, request)
        response = result.chat_response
        assert response.api_format == "GENERIC" and len(response.choices) == 1
        message = response.choices[0].message
        assert message.role == "ASSISTANT" and response.choices[0].finish_reason
        parts = [c.text for c in message.content or [] if c.type == "TEXT"]
        assert parts, "a chat answer has text"
        self.check_usage(response.usage, max_tokens)
        self.prompt_tokens.append(response.usage.prompt_tokens)
        if "".join(parts).strip():
            self.messages.append(models.AssistantMessage(content=[models.TextContent(text="".join(parts))]))
        self.ran("generic chat")

    @precondition(lambda self: len(self.history) < 2 * MAX_TURNS)
    @rule(text=TEXTS, max_tokens=st.integers(1, 40))
    def say_cohere(self, text, max_tokens):
        request = models.CohereChatRequest(message=text, chat_history=list(self.history), max_tokens=max_tokens)
        response = self.chat(COHERE_CHAT_MODEL, request).chat_response
        assert response.api_format == "COHERE" and isinstance(response.text, str) and response.finish_reason
        if response.usage is not None:
            self.check_usage(response.usage, max_tokens)
        self.history.append(models.CohereUserMessage(message=text))
        if response.text.strip():
            self.history.append(models.CohereChatBotMessage(message=response.text))
        self.ran("cohere chat")

    @precondition(lambda self: self.messages or self.history)
    @rule()
    def start_over(self):
        self.messages, self.history, self.prompt_tokens = [], [], []

    def embed(self, inputs: list[str], dimensions: int | None = None) -> models.EmbedTextResult:
        return self.ctx.inference.embed_text(
            models.EmbedTextDetails(
                compartment_id=self.ctx.compartment,
                serving_mode=models.OnDemandServingMode(model_id=EMBED_MODEL),
                inputs=inputs,
                output_dimensions=dimensions,
            )
        ).data

    @rule(
        inputs=SOME_INPUTS | ALL_INPUTS,
        dimensions=st.sampled_from([None, *DIMENSIONS]),
    )
    def embed_within_the_limits(self, inputs, dimensions):
        if len(inputs) > 8 and dimensions is None:
            dimensions = DIMENSIONS[0]  # large float payloads are slow to check against the spec
        vectors = self.embed(inputs, dimensions).embeddings
        assert len(vectors) == len(inputs), "one vector per input, in order"
        width = dimensions or DEFAULT_DIMENSIONS
        assert all(len(v) == width for v in vectors), f"vectors of {width} dimensions"
        assert all(math.isfinite(x) for v in vectors for x in v)
        for i, text in enumerate(inputs):  # the same text gets the same vector
            j = inputs.index(text)
            if j != i:
                assert cosine(vectors[i], vectors[j]) > 0.999
        self.ran("embeddings")

    @rule(extra=st.integers(1, 8))
    def embed_too_many_inputs(self, extra):
        expect_error(400, None, lambda: self.embed(["word"] * (MAX_INPUTS + extra), DIMENSIONS[0]))
        self.ran("too many inputs 400")

    @rule()
    def embed_no_input(self):
        expect_error(400, None, lambda: self.embed([]))
        self.ran("no input 400")

    @rule(dimensions=st.integers(1, 4096).filter(lambda d: d not in DIMENSIONS))
    def embed_with_unsupported_dimensions(self, dimensions):
        expect_error(400, None, lambda: self.embed(["word"], dimensions))
        self.ran("unsupported dimensions 400")

    @invariant()
    def prompts_grow_with_the_conversation(self):
        assert self.prompt_tokens == sorted(self.prompt_tokens), f"prompt tokens shrank: {self.prompt_tokens}"


def test_on_demand_inference(contract, request):
    run_machine(contract, request.node.nodeid, InferenceMachine, creates=False)
