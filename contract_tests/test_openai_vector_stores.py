"""Files and vector stores on OCI's OpenAI-compatible API, through the ``openai`` SDK: uploads read back
byte for byte and list page by page; a vector store (made, renamed and deleted on the management
host, signed) indexes the files added to it, counts them, and search finds each file by its topic,
with attribute filters, until the file is removed; what is deleted is gone."""

from __future__ import annotations

import io
import uuid

from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, precondition, rule

from .machines import run_machine
from .openai_target import assert_gone
from .rules import CountsKeyRules

# One topic per file, each with words no other topic shares, so search has one right answer.
TOPICS = {
    "volcano": "A volcano erupts molten lava and ash; volcanic craters form around the volcano's vent.",
    "glacier": "A glacier is a slow river of ice; glaciers carve valleys and leave moraines behind.",
    "bakery": "A bakery bakes bread, croissants and pastries in ovens before dawn every morning.",
    "violin": "A violin has four strings played with a bow; violinists tune them in fifths.",
    "cactus": "A cactus stores water in its thick stems and grows spines instead of leaves in deserts.",
    "submarine": "A submarine dives below the surface using ballast tanks and navigates with sonar.",
}
KEY_RULES = (
    "content round trip", "files over pages", "file deleted 404", "file indexed", "search finds the file",
    "filtered search", "file removed", "store updated", "store deleted 404",
)
MAX_STORES = 2


class VectorStoresMachine(CountsKeyRules, RuleBasedStateMachine):
    KEY_RULES = KEY_RULES

    def __init__(self, ctx, api):
        super().__init__()
        self.ctx = ctx
        self.files_api = api.inference  # files, a store's files, search
        self.stores_api = api.management  # vector stores themselves
        self.machine = uuid.uuid4().hex[:6]
        self.files: dict[str, str] = {}  # live file id -> topic
        self.stores: dict[str, dict[str, str]] = {}  # live store id -> {file id: topic}
        self.count_key_rules(ctx.tally)

    # files --------------------------------------------------------------------------------------
    def upload(self, topic: str) -> str:
        text = TOPICS[topic].encode()
        name = f"{topic}-{self.machine}.txt"
        made = self.files_api.files.create(file=(name, io.BytesIO(text), "text/plain"), purpose="user_data")
        assert (made.filename, made.bytes, made.purpose) == (name, len(text), "user_data"), made
        assert self.files_api.files.content(made.id).read() == text
        assert self.files_api.files.retrieve(made.id).filename == name
        self.files[made.id] = topic
        self.ran("content round trip")
        return made.id

    def unused(self) -> list[str]:
        used = {f for files in self.stores.values() for f in files}
        return sorted(f for f in self.files if f not in used)

    @initialize(topics=st.lists(st.sampled_from(sorted(TOPICS)), min_size=2, max_size=2, unique=True))
    def start_with_a_store(self, topics):
        """Every example first indexes two files in a new store, searches it (plainly and with a
        filter), renames it, removes a file and pages through the files, so each key property is
        checked once whatever follows."""
        store = self.create_store(topics[0])
        for topic in topics:
            self.add(store, self.upload(topic), topic)
        self.search_for(store, topics[0], filtered=False)
        self.search_for(store, topics[1], filtered=True)
        self.rename(store, topics[1])
        self.remove(store, next(f for f, t in self.stores[store].items() if t == topics[0]))
        self.check_files(limit=1)

    @precondition(lambda self: len(self.files) < 6)
    @rule(topic=st.sampled_from(sorted(TOPICS)))
    def upload_file(self, topic):
        self.upload(topic)

    @rule(limit=st.integers(1, 3))
    def list_files(self, limit):
        self.check_files(limit)

    def check_files(self, limit: int) -> None:
        """Every live file of the machine is listed once (the project may hold others)."""
        listed = [f.id for f in self.files_api.files.list(limit=limit, purpose="user_data")]
        assert len(listed) == len(set(listed)), "a file came twice across pages"
        missing = set(self.files) - set(listed)
        assert not missing, f"files not listed: {missing}"
        if len(listed) > limit:
            self.ran("files over pages")

    @precondition(lambda self: self.unused())
    @rule(data=st.data())
    def delete_file(self, data):
        file_id = data.draw(st.sampled_from(self.unused()), label="file")
        assert self.files_api.files.delete(file_id).deleted
        del self.files[file_id]
        assert_gone(f"deleted file {file_id}", lambda: self.files_api.files.retrieve(file_id))
        self.ran("file deleted 404")

    # stores -------------------------------------------------------------------------------------
    def create_store(self, topic: str) -> str:
        store = self.stores_api.vector_stores.create(name=f"{topic}-{self.machine}", metadata={"machine": self.machine})
        assert store.id.startswith("vs_") and store.metadata == {"machine": self.machine}
        self.stores[store.id] = {}
        return store.id

    @precondition(lambda self: len(self.stores) < MAX_STORES)
    @rule(topic=st.sampled_from(sorted(TOPICS)))
    def new_store(self, topic):
        self.create_store(topic)

    def pick_store(self, data, with_files: bool = False) -> str:
        stores = [s for s in sorted(self.stores) if self.stores[s] or not with_files]
        return data.draw(st.sampled_from(stores), label="store")

    def add(self, store: str, file_id: str, topic: str) -> None:
        added = self.files_api.vector_stores.files.create(vector_store_id=store, file_id=file_id, attributes={"topic": topic})
        assert added.id == file_id and added.status in ("in_progress", "completed"), added
        self.stores[store][file_id] = topic
        self.settle(store, file_id)
        counts = self.stores_api.vector_stores.retrieve(store).file_counts
        assert (counts.completed, counts.total) == (len(self.stores[store]),) * 2, counts
        self.ran("file indexed")

    def settle(self, store: str, file_id: str) -> None:
        """Wait until the file is indexed (on the emulator: finish its indexing, then it must be)."""
        read = lambda: self.files_api.vector_stores.files.retrieve(file_id, vector_store_id=store)  # noqa: E731
        if self.ctx.transitions is not None:
            if read().status == "in_progress":
                self.ctx.target.admin.complete_transitions(kind="vectorstorefile")
            assert read().status == "completed", "indexing finished by the admin API shows at once"
            return
        done = self.ctx.poll(read, lambda f: f.status != "in_progress", f"indexing of {file_id}")
        assert done.status == "completed", done

    @precondition(lambda self: self.stores and self.unused())
    @rule(data=st.data())
    def add_file(self, data):
        store = self.pick_store(data)
        file_id = data.draw(st.sampled_from(self.unused()), label="file")
        self.add(store, file_id, self.files[file_id])

    @precondition(lambda self: any(self.stores.values()))
    @rule(data=st.data(), filtered=st.booleans())
    def search(self, data, filtered):
        store = self.pick_store(data, with_files=True)
        self.search_for(store, data.draw(st.sampled_from(sorted(set(self.stores[store].values()))), label="topic"), filtered)

    def search_for(self, store: str, topic: str, filtered: bool) -> None:
        extra = {"filters": {"type": "eq", "key": "topic", "value": topic}} if filtered else {}
        hits = list(self.files_api.vector_stores.search(vector_store_id=store, query=topic, max_num_results=3, **extra))
        assert hits, f"no hit for {topic!r} in {store}"
        assert self.stores[store].get(hits[0].file_id) == topic, f"{topic!r}: first hit {hits[0].file_id} ({hits[0].filename})"
        assert all(h.file_id in self.stores[store] for h in hits), "a hit from a file not in the store"
        self.ran("search finds the file")
        if filtered:
            assert all(h.attributes == {"topic": topic} for h in hits), [h.attributes for h in hits]
            others = {"type": "ne", "key": "topic", "value": topic}
            hits = self.files_api.vector_stores.search(vector_store_id=store, query=topic, filters=others)
            assert all(h.attributes.get("topic") != topic for h in hits), "a filtered-out file was found"
            self.ran("filtered search")

    @precondition(lambda self: any(self.stores.values()))
    @rule(data=st.data())
    def remove_file(self, data):
        store = self.pick_store(data, with_files=True)
        self.remove(store, data.draw(st.sampled_from(sorted(self.stores[store])), label="file"))

    def remove(self, store: str, file_id: str) -> None:
        topic = self.stores[store].pop(file_id)
        assert self.files_api.vector_stores.files.delete(file_id, vector_store_id=store).deleted
        hits = self.files_api.vector_stores.search(vector_store_id=store, query=topic)
        assert file_id not in [h.file_id for h in hits], f"removed {file_id} is still found"
        assert self.stores_api.vector_stores.retrieve(store).file_counts.total == len(self.stores[store])
        self.ran("file removed")

    @precondition(lambda self: self.stores)
    @rule(data=st.data(), topic=st.sampled_from(sorted(TOPICS)))
    def rename_store(self, data, topic):
        self.rename(self.pick_store(data), topic)

    def rename(self, store: str, topic: str) -> None:
        name = f"{topic}-renamed-{self.machine}"
        updated = self.stores_api.vector_stores.update(store, name=name, metadata={"machine": self.machine, "topic": topic})
        assert updated.name == name
        got = self.stores_api.vector_stores.retrieve(store)
        assert (got.name, got.metadata) == (name, {"machine": self.machine, "topic": topic})
        self.ran("store updated")

    @precondition(lambda self: self.stores)
    @rule(data=st.data())
    def delete_store(self, data):
        self.drop(self.pick_store(data))

    def drop(self, store: str) -> None:
        assert self.stores_api.vector_stores.delete(store).deleted
        del self.stores[store]
        assert_gone(f"deleted store {store}", lambda: self.stores_api.vector_stores.retrieve(store),
                    lambda: self.files_api.vector_stores.search(vector_store_id=store, query="anything"))
        self.ran("store deleted 404")

    def teardown(self):
        for store in list(self.stores):
            self.drop(store)
        for file_id in list(self.files):
            self.files_api.files.delete(file_id)


def test_files_and_vector_stores(contract, openai_api, request):
    run_machine(contract, request.node.nodeid, VectorStoresMachine, openai_api, creates=False)
