"""Sandbox snapshots: each keeps the sandbox's files as they were when it was taken (later writes do
not reach it), a sandbox restored from it holds exactly those files; a snapshot refuses a delete
while CREATING (409) and with a stale etag (412); deleted, it reads DELETED or 404; lists filter by
sandbox and state, sorted and paged."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import strategies as st
from hypothesis.stateful import initialize, invariant, precondition, rule
from oci.generative_ai_sandbox import models as sbx

from .machines import expect_error, pages, run_machine
from .sandbox_kit import ProjectMachine, delete_project, wait_for

KEY_RULES = (
    "create", "busy delete 409", "restore keeps the files", "stale etag 412", "delete", "list over pages",
    "list filtered",
)
PATHS = st.sampled_from(["/workspace/a.txt", "/workspace/b.txt"])
MAX_LIVE = 3


@dataclasses.dataclass
class Snapshot:
    id: str
    files: dict[str, bytes]
    etag: str
    deleted: bool = False


class SandboxSnapshotMachine(ProjectMachine):
    KEY_RULES = KEY_RULES
    word = "snapshots"

    def __init__(self, ctx):
        super().__init__(ctx)
        made = self.client.create_sandbox(self.project, sbx.CreateSandboxDetails(display_name="source"))
        self.sandbox = made.data.id
        wait_for(ctx, self.client, "get_sandbox", self.sandbox, ("RUNNING",))
        self.files: dict[str, bytes] = {}
        self.snapshots: list[Snapshot] = []

    def living(self) -> list[Snapshot]:
        return [s for s in self.snapshots if not s.deleted]

    @initialize(path=PATHS, text=st.text(max_size=20))
    def start_with_a_tour(self, path, text):
        self.write(path, text)
        first = self.take()
        self.write(path, text + "-changed")  # after the snapshot: not in it
        self.restore(first)
        self.take()
        self.check_list(1, None, None)
        self.check_list(1, "displayName", None, sandbox_id=self.sandbox)
        self.delete_one(first)

    @rule(path=PATHS, text=st.text(max_size=20))
    def write(self, path, text):
        content = text.encode()
        self.client.write_sandbox_file(self.sandbox, path, content)
        self.files[path] = content

    def take(self) -> Snapshot:
        made = self.client.create_sandbox_snapshot(sbx.CreateSandboxSnapshotDetails(sandbox_id=self.sandbox))
        assert made.data.lifecycle_state == "CREATING" and made.data.sandbox_id == self.sandbox
        snapshot = Snapshot(made.data.id, dict(self.files), made.headers["etag"])
        self.snapshots.append(snapshot)
        if self.client.get_sandbox_snapshot(snapshot.id).data.lifecycle_state == "CREATING":
            expect_error(409, None, lambda: self.client.delete_sandbox_snapshot(snapshot.id))
            self.ran("busy delete 409")
        active = wait_for(self.ctx, self.client, "get_sandbox_snapshot", snapshot.id, ("ACTIVE",))
        assert active.data.size_bytes == sum(len(c) for c in snapshot.files.values())
        snapshot.etag = active.headers["etag"]
        self.ran("create")
        return snapshot

    @precondition(lambda self: len(self.living()) < MAX_LIVE)
    @rule()
    def create(self):
        self.take()

    def restore(self, snapshot: Snapshot) -> None:
        source = sbx.SandboxSnapshotSource(snapshot_id=snapshot.id)
        made = self.client.create_sandbox(self.project, sbx.CreateSandboxDetails(display_name="restored", source=source))
        wait_for(self.ctx, self.client, "get_sandbox", made.data.id, ("RUNNING",))
        for path, content in snapshot.files.items():
            assert self.client.read_sandbox_file(made.data.id, path).data.content == content, path
        listed = self.client.run_sandbox_command_and_wait(made.data.id, sbx.RunSandboxCommandDetails(command="ls")).data
        assert sorted(listed.output.stdout.split()) == sorted(p.rsplit("/", 1)[1] for p in snapshot.files)
        self.client.delete_sandbox(made.data.id)
        self.ran("restore keeps the files")

    @precondition(lambda self: self.living())
    @rule(data=st.data())
    def restore_one(self, data):
        self.restore(data.draw(st.sampled_from(self.living()), label="snapshot"))

    def delete_one(self, snapshot: Snapshot) -> None:
        current = self.client.get_sandbox_snapshot(snapshot.id).headers["etag"]
        if current != snapshot.etag:
            snapshot.etag = current
        expect_error(412, ("NoEtagMatch",), lambda: self.client.delete_sandbox_snapshot(snapshot.id, if_match="stale-etag"))
        self.ran("stale etag 412")
        self.client.delete_sandbox_snapshot(snapshot.id, if_match=current)
        snapshot.deleted = True
        assert self.ctx.read_state("get_sandbox_snapshot", snapshot.id, self.client) in ("DELETING", "DELETED", "404")
        wait_for_gone(self.ctx, self.client, snapshot.id)
        self.ran("delete")

    @precondition(lambda self: self.living())
    @rule(data=st.data())
    def delete(self, data):
        self.delete_one(data.draw(st.sampled_from(self.living()), label="snapshot"))

    def check_list(self, limit: int, sort_by: str | None, sort_order: str | None, **filters) -> None:
        sorting = {k: v for k, v in (("sort_by", sort_by), ("sort_order", sort_order)) if v}
        items = pages(self.client.list_sandbox_snapshots, project_id=self.project, limit=limit, **sorting, **filters)
        ids = [i.id for i in items]
        assert len(ids) == len(set(ids)), "a snapshot came twice across pages"
        if sort_by != "displayName":
            keys = [i.time_created for i in items]
            assert keys == sorted(keys, reverse=sort_order == "DESC")
        alive = {i.id for i in items if i.lifecycle_state not in ("DELETING", "DELETED")}
        wanted = {s.id for s in self.living()}
        if filters.get("lifecycle_state") == "DELETED":
            wanted = set()
        assert wanted <= set(ids) and alive <= wanted, f"list {filters}: {ids}, expected {wanted}"
        if items.pages > 1:
            self.ran("list over pages")
        if filters and wanted:
            self.ran("list filtered")

    @rule(limit=st.integers(1, 3), sort_order=st.sampled_from([None, "ASC", "DESC"]),
          state=st.sampled_from([None, "ACTIVE"]))
    def list_sorted_and_paged(self, limit, sort_order, state):
        self.check_list(limit, None, sort_order, **({"lifecycle_state": state} if state else {}))

    @invariant()
    def lists_show_the_living_snapshots(self):
        self.check_list(100, None, None)

    def teardown(self):
        for snapshot in self.living():
            self.client.delete_sandbox_snapshot(snapshot.id)
            snapshot.deleted = True
            wait_for_gone(self.ctx, self.client, snapshot.id)
        self.client.delete_sandbox(self.sandbox)
        delete_project(self.ctx, self.project)


def wait_for_gone(ctx, client, snapshot_id: str) -> None:
    ctx.wait_for_state("get_sandbox_snapshot", snapshot_id, ("DELETED", "404"), client=client)


@pytest.mark.costly()
def test_sandbox_snapshots(contract, request):
    run_machine(contract, request.node.nodeid, SandboxSnapshotMachine)
