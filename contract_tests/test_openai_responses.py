"""Responses on OCI's OpenAI-compatible API, through the ``openai`` SDK: what is stored can be read
back as it was made and deleted; what is not stored is never found; chains name their previous
response; streams number their events in order and end with the response they built; input items
page in both orders."""

from __future__ import annotations

from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, precondition, rule

from .machines import run_machine
from .openai_target import MODEL, assert_gone
from .rules import CountsKeyRules

WORDS = st.sampled_from(["ocean", "river", "mountain", "planet", "forest", "desert"])
KEY_RULES = (
    "stored read back", "not stored 404", "chained", "stream in order", "input items over pages",
    "deleted 404",
)


class ResponsesMachine(CountsKeyRules, RuleBasedStateMachine):
    KEY_RULES = KEY_RULES

    def __init__(self, ctx, api):
        super().__init__()
        self.client = api.inference
        self.made: dict[str, dict] = {}  # id -> what the machine knows: stored, deleted, text, inputs
        self.count_key_rules(ctx.tally)

    def stored(self) -> list[str]:
        return [rid for rid, r in self.made.items() if r["stored"] and not r["deleted"]]

    def create(self, inputs: list[str], store: bool, previous: str | None = None):
        content = inputs[0] if len(inputs) == 1 else [{"role": "user", "content": text} for text in inputs]
        response = self.client.responses.create(
            model=MODEL, input=content, store=store, max_output_tokens=200,
            **({"previous_response_id": previous} if previous else {}),
        )
        assert response.id.startswith("resp_") and response.status == "completed", (response.id, response.status)
        assert response.output_text, "a completed response has output text"
        usage = response.usage
        assert usage.total_tokens == usage.input_tokens + usage.output_tokens, usage
        assert response.previous_response_id == previous
        self.made[response.id] = {"stored": store, "deleted": False, "text": response.output_text,
                                  "inputs": len(inputs), "previous": previous}
        return response

    @initialize(word=WORDS)
    def start_with_a_chain(self, word):
        """Every example first stores a response, reads it back, chains a second to it and lists
        the second's input items, so each key property is checked once whatever follows."""
        first = self.create([f"Tell me about the {word}."], store=True)
        self.read_back(first.id)
        second = self.create([f"And what lives in the {word}?", "Answer briefly."], store=True, previous=first.id)
        self.ran("chained")
        self.check_input_items(second.id, limit=1, order="asc")

    @rule(words=st.lists(WORDS, min_size=1, max_size=3), store=st.booleans(), data=st.data())
    def respond(self, words, store, data):
        previous = None
        if self.stored() and data.draw(st.booleans(), label="chain"):
            previous = data.draw(st.sampled_from(self.stored()), label="previous")
        self.create([f"Say something about the {w}." for w in words], store, previous)
        if previous:
            self.ran("chained")

    @rule(word=WORDS, store=st.booleans())
    def stream(self, word, store):
        with self.client.responses.stream(model=MODEL, input=f"Describe the {word}.", store=store,
                                          max_output_tokens=200) as events:
            seen = list(events)
            final = events.get_final_response()
        numbers = [e.sequence_number for e in seen]
        assert numbers == list(range(numbers[0], numbers[0] + len(numbers))), f"sequence numbers {numbers}"
        assert seen[0].type == "response.created" and seen[-1].type == "response.completed", [e.type for e in seen]
        text = "".join(e.delta for e in seen if e.type == "response.output_text.delta")
        assert text == final.output_text, "the deltas make the final text"
        self.made[final.id] = {"stored": store, "deleted": False, "text": final.output_text, "inputs": 1,
                               "previous": None}
        self.ran("stream in order")

    @precondition(lambda self: self.made)
    @rule(data=st.data())
    def retrieve(self, data):
        self.read_back(data.draw(st.sampled_from(sorted(self.made)), label="response"))

    def read_back(self, rid: str) -> None:
        known = self.made[rid]
        if not known["stored"] or known["deleted"]:
            assert_gone(f"{rid} ({'deleted' if known['deleted'] else 'store=false'})", lambda: self.client.responses.retrieve(rid))
            self.ran("deleted 404" if known["deleted"] else "not stored 404")
            return
        got = self.client.responses.retrieve(rid)
        assert (got.id, got.status, got.output_text) == (rid, "completed", known["text"]), got
        assert got.previous_response_id == known["previous"]
        self.ran("stored read back")

    @precondition(lambda self: self.stored())
    @rule(data=st.data(), limit=st.integers(1, 3), order=st.sampled_from(["asc", "desc"]))
    def input_items(self, data, limit, order):
        self.check_input_items(data.draw(st.sampled_from(self.stored()), label="response"), limit, order)

    def check_input_items(self, rid: str, limit: int, order: str) -> None:
        pages = self.client.responses.input_items.list(rid, limit=limit, order=order)
        items = [item for item in pages]  # the SDK follows `after` page by page
        ids = [item.id for item in items]
        assert len(ids) == len(set(ids)) == self.made[rid]["inputs"], f"{rid}: input items {ids}"
        other = [item.id for item in self.client.responses.input_items.list(rid, order="desc" if order == "asc" else "asc")]
        assert other == ids[::-1], "desc is asc reversed"
        if len(ids) > limit:
            self.ran("input items over pages")

    @precondition(lambda self: self.stored())
    @rule(data=st.data())
    def delete(self, data):
        rid = data.draw(st.sampled_from(self.stored()), label="response")
        self.client.responses.delete(rid)
        self.made[rid]["deleted"] = True
        self.read_back(rid)


def test_responses(contract, openai_api, request):
    run_machine(contract, request.node.nodeid, ResponsesMachine, openai_api, creates=False)
