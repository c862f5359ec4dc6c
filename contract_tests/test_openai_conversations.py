"""Conversations on OCI's OpenAI-compatible API, through the ``openai`` SDK: items come back in the
order they were added (either way round, page by page), deleted items and conversations are gone,
metadata updates stick, and a response made in a conversation appends its input and its output."""

from __future__ import annotations

from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, precondition, rule

from .machines import run_machine
from .openai_target import MODEL, assert_gone
from .rules import CountsKeyRules

WORDS = st.sampled_from(["ocean", "river", "mountain", "planet", "forest", "desert"])
KEY_RULES = (
    "items in order over pages", "item read back", "item deleted 404", "metadata updated",
    "response appended", "deleted 404",
)
MAX_LIVE = 3


def message(text: str) -> dict:
    return {"type": "message", "role": "user", "content": text}


class ConversationsMachine(CountsKeyRules, RuleBasedStateMachine):
    KEY_RULES = KEY_RULES

    def __init__(self, ctx, api):
        super().__init__()
        self.client = api.inference
        self.items: dict[str, list[str]] = {}  # conversation -> its item ids, oldest first
        self.metadata: dict[str, dict] = {}
        self.texts: dict[str, str] = {}  # item id -> the text the machine gave it
        self.deleted: list[str] = []
        self.count_key_rules(ctx.tally)

    def live(self) -> list[str]:
        return sorted(self.items)

    def made(self, words: list[str], metadata: dict) -> str:
        conversation = self.client.conversations.create(items=[message(f"About the {w}.") for w in words],
                                                        metadata=metadata)
        assert conversation.id.startswith("conv_") and conversation.metadata == metadata
        listed = list(self.client.conversations.items.list(conversation.id, order="asc"))
        assert [item.content[0].text for item in listed] == [f"About the {w}." for w in words]
        self.items[conversation.id] = [item.id for item in listed]
        self.metadata[conversation.id] = metadata
        self.texts.update({item.id: item.content[0].text for item in listed})
        return conversation.id

    @initialize(words=st.lists(WORDS, min_size=2, max_size=3))
    def start_with_a_conversation(self, words):
        """Every example first makes a conversation, lists it a page at a time, answers in it and
        updates it, so each key property is checked once whatever follows."""
        conversation = self.made(words, {"topic": words[0]})
        self.check_items(conversation, limit=1, order="desc")
        self.answer_in(conversation, words[-1])
        self.update(conversation, words[1])

    @precondition(lambda self: len(self.items) < MAX_LIVE)
    @rule(words=st.lists(WORDS, max_size=3), topic=WORDS)
    def create(self, words, topic):
        self.made(words, {"topic": topic})

    def pick(self, data) -> str:
        return data.draw(st.sampled_from(self.live()), label="conversation")

    @precondition(lambda self: self.items)
    @rule(data=st.data(), words=st.lists(WORDS, min_size=1, max_size=3))
    def add_items(self, data, words):
        conversation = self.pick(data)
        added = self.client.conversations.items.create(conversation, items=[message(f"Then the {w}.") for w in words])
        assert [item.content[0].text for item in added.data] == [f"Then the {w}." for w in words]
        self.items[conversation] += [item.id for item in added.data]
        self.texts.update({item.id: f"Then the {w}." for item, w in zip(added.data, words)})

    @precondition(lambda self: self.items)
    @rule(data=st.data(), limit=st.integers(1, 4), order=st.sampled_from(["asc", "desc"]))
    def list_items(self, data, limit, order):
        self.check_items(self.pick(data), limit, order)

    def check_items(self, conversation: str, limit: int, order: str) -> None:
        ids = [item.id for item in self.client.conversations.items.list(conversation, limit=limit, order=order)]
        expected = self.items[conversation] if order == "asc" else self.items[conversation][::-1]
        assert ids == expected, f"{conversation} lists {ids}, not {expected} ({order}, {limit} a page)"
        if len(ids) > limit:
            self.ran("items in order over pages")

    @precondition(lambda self: any(self.items[c] for c in self.items))
    @rule(data=st.data(), delete=st.booleans())
    def item(self, data, delete):
        conversation = data.draw(st.sampled_from([c for c in self.live() if self.items[c]]), label="conversation")
        item_id = data.draw(st.sampled_from(self.items[conversation]), label="item")
        got = self.client.conversations.items.retrieve(item_id, conversation_id=conversation)
        assert got.id == item_id
        if item_id in self.texts:
            assert got.content[0].text == self.texts[item_id]
        self.ran("item read back")
        if not delete:
            return
        self.client.conversations.items.delete(item_id, conversation_id=conversation)
        self.items[conversation].remove(item_id)
        assert_gone(f"deleted item {item_id}", lambda: self.client.conversations.items.retrieve(item_id, conversation_id=conversation))
        self.ran("item deleted 404")

    @precondition(lambda self: self.items)
    @rule(data=st.data(), topic=WORDS)
    def update_metadata(self, data, topic):
        self.update(self.pick(data), topic)

    def update(self, conversation: str, topic: str) -> None:
        self.client.conversations.update(conversation, metadata={"topic": topic, "step": "updated"})
        self.metadata[conversation] = {"topic": topic, "step": "updated"}
        assert self.client.conversations.retrieve(conversation).metadata == self.metadata[conversation]
        self.ran("metadata updated")

    @precondition(lambda self: self.items)
    @rule(data=st.data(), word=WORDS)
    def answer(self, data, word):
        self.answer_in(self.pick(data), word)

    def answer_in(self, conversation: str, word: str) -> None:
        before = len(self.items[conversation])
        response = self.client.responses.create(model=MODEL, input=f"What about the {word}?",
                                                conversation=conversation, max_output_tokens=200)
        listed = [item.id for item in self.client.conversations.items.list(conversation, order="asc")]
        output = [item.id for item in response.output]
        assert listed[:before] == self.items[conversation], "a response keeps the items before it"
        assert listed[len(listed) - len(output):] == output, "a response appends its output items last"
        assert len(listed) == before + 1 + len(output), "and its one input message before them"
        self.items[conversation] = listed
        self.ran("response appended")

    @precondition(lambda self: self.items)
    @rule(data=st.data())
    def delete(self, data):
        conversation = self.pick(data)
        assert self.client.conversations.delete(conversation).deleted
        del self.items[conversation]
        self.deleted.append(conversation)
        self.check_gone(conversation)

    def check_gone(self, conversation: str) -> None:
        assert_gone(f"deleted conversation {conversation}", lambda: self.client.conversations.retrieve(conversation),
                    lambda: list(self.client.conversations.items.list(conversation)))
        self.ran("deleted 404")

    def teardown(self):
        for conversation in self.live():
            self.client.conversations.delete(conversation)
            self.check_gone(conversation)


def test_conversations(contract, openai_api, request):
    run_machine(contract, request.node.nodeid, ConversationsMachine, openai_api, creates=False)
