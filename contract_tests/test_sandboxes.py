"""Sandboxes of a project on the sandbox API: created RUNNING (and refusing other actions while
CREATING: 409), renamed (a stale etag is 412), suspended and resumed with their files, stopped,
extended, deleted; files read back byte for byte; commands whose output is what the files and the
shell say (an unknown program exits 127), waited for and streamed as NDJSON events in order; lists
that show exactly the project's sandboxes, sorted and paged."""

from __future__ import annotations

import dataclasses
import json
import uuid

import pytest
from hypothesis import strategies as st
from hypothesis.stateful import initialize, invariant, precondition, rule
from oci.generative_ai_sandbox import models as sbx

from .machines import expect_error, pages, run_machine
from .sandbox_kit import ProjectMachine, delete_project, wait_for

KEY_RULES = (
    "create", "busy 409", "rename", "stale etag 412", "suspend and resume", "stop", "extend", "file round trip",
    "command output", "unknown command 127", "command streamed", "not running 409", "delete", "list over pages",
    "list filtered",
)
WORDS = st.sampled_from(["alpha", "beta", "gamma", "delta"])
PATHS = st.sampled_from(["/workspace/a.txt", "/workspace/src/b.py", "/workspace/c.md"])
MAX_LIVE = 3


@dataclasses.dataclass
class Box:
    id: str
    name: str
    state: str = "CREATING"
    etags: list[str] = dataclasses.field(default_factory=list)
    files: dict[str, bytes] = dataclasses.field(default_factory=dict)


class SandboxMachine(ProjectMachine):
    KEY_RULES = KEY_RULES
    word = "sandboxes"

    def __init__(self, ctx):
        super().__init__(ctx)
        self.boxes: list[Box] = []

    def living(self, state: str | None = None) -> list[Box]:
        return [b for b in self.boxes if b.state != "DELETED" and (state is None or b.state == state)]

    def settle(self, box: Box) -> None:
        """Wait for the state the model expects (a create or a resume lands RUNNING, ...)."""
        data = wait_for(self.ctx, self.client, "get_sandbox", box.id, (box.state,))
        assert data.data.lifecycle_state == box.state and data.data.display_name == box.name
        box.etags.append(data.headers["etag"])

    def draw_box(self, data, state: str = "RUNNING") -> Box:
        box = data.draw(st.sampled_from(self.living(state)), label="sandbox")
        self.settle(box)
        return box

    # lifecycle ----------------------------------------------------------------------------------
    def create_one(self, word: str) -> Box:
        name = f"{word}-{uuid.uuid4().hex[:6]}"
        made = self.client.create_sandbox(self.project, sbx.CreateSandboxDetails(display_name=name, expires_in_minutes=60))
        assert made.data.lifecycle_state == "CREATING" and made.data.project_id == self.project
        box = Box(made.data.id, name, "RUNNING", [made.headers["etag"]])
        self.boxes.append(box)
        if self.client.get_sandbox(box.id).data.lifecycle_state == "CREATING":
            expect_error(409, None, lambda: self.client.suspend_sandbox(box.id, sbx.SuspendSandboxDetails()))
            expect_error(409, None, lambda: self.client.run_sandbox_command(box.id, sbx.RunSandboxCommandDetails(command="true")))
            self.ran("busy 409")
        self.settle(box)
        self.ran("create")
        return box

    @initialize(word=WORDS, path=PATHS)
    def start_with_a_tour(self, word, path):
        box = self.create_one(word)
        self.write(box, path, f"{word}\n".encode())
        self.run_cat(box, path)
        self.run_unknown(box)
        self.stream_echo(box, word)
        self.rename(box, word, with_etag=True)
        self.suspend_and_resume(box)
        self.create_one(word)  # a second one, for pages
        self.check_list(1, None, None)
        self.check_list(1, "displayName", "DESC", display_name=box.name)

    @precondition(lambda self: len(self.living()) < MAX_LIVE)
    @rule(word=WORDS)
    def create(self, word):
        self.create_one(word)

    def rename(self, box: Box, word: str, with_etag: bool) -> None:
        name = f"{word}-{uuid.uuid4().hex[:6]}"
        stale = box.etags[0]
        current = self.client.get_sandbox(box.id).headers["etag"]
        kwargs = {"if_match": current} if with_etag else {}
        renamed = self.client.update_sandbox(box.id, sbx.UpdateSandboxDetails(display_name=name), **kwargs)
        assert renamed.data.display_name == name and renamed.headers["etag"] not in box.etags
        box.name = name
        box.etags.append(renamed.headers["etag"])
        self.ran("rename")
        expect_error(412, ("NoEtagMatch",), lambda: self.client.update_sandbox(
            box.id, sbx.UpdateSandboxDetails(display_name="stale"), if_match=stale))
        self.ran("stale etag 412")

    @precondition(lambda self: self.living("RUNNING"))
    @rule(data=st.data(), word=WORDS, with_etag=st.booleans())
    def update(self, data, word, with_etag):
        self.rename(self.draw_box(data), word, with_etag)

    def suspend_and_resume(self, box: Box) -> None:
        self.client.suspend_sandbox(box.id, sbx.SuspendSandboxDetails())
        box.state = "SUSPENDED"
        self.settle(box)
        expect_error(409, None, lambda: self.client.run_sandbox_command(box.id, sbx.RunSandboxCommandDetails(command="true")))
        self.ran("not running 409")
        self.client.resume_sandbox(box.id, sbx.ResumeSandboxDetails())
        box.state = "RUNNING"
        self.settle(box)
        for path, content in box.files.items():  # the workspace survives
            assert self.client.read_sandbox_file(box.id, path).data.content == content
        self.ran("suspend and resume")

    @precondition(lambda self: self.living("RUNNING"))
    @rule(data=st.data())
    def suspend_then_resume(self, data):
        self.suspend_and_resume(self.draw_box(data))

    @precondition(lambda self: self.living("RUNNING"))
    @rule(data=st.data(), force=st.booleans())
    def stop(self, data, force):
        box = self.draw_box(data)
        self.client.stop_sandbox(box.id, sbx.StopSandboxDetails(is_force=force))
        box.state = "STOPPED"
        self.settle(box)
        self.ran("stop")

    @precondition(lambda self: self.living("RUNNING"))
    @rule(data=st.data(), minutes=st.integers(1, 30))
    def extend(self, data, minutes):
        box = self.draw_box(data)
        before = self.client.get_sandbox(box.id).data.time_expires
        after = self.client.extend_sandbox(box.id, sbx.ExtendSandboxDetails(additional_duration=f"PT{minutes}M"))
        assert (after.data.time_expires - before).total_seconds() == minutes * 60
        box.etags.append(after.headers["etag"])
        self.ran("extend")

    @precondition(lambda self: self.living())
    @rule(data=st.data())
    def delete(self, data):
        box = data.draw(st.sampled_from(self.living()), label="sandbox")
        self.settle(box)
        self.client.delete_sandbox(box.id)
        box.state = "DELETED"
        wait_for(self.ctx, self.client, "get_sandbox", box.id, ("DELETED",))
        self.ran("delete")

    # files and commands -------------------------------------------------------------------------
    def write(self, box: Box, path: str, content: bytes) -> None:
        written = self.client.write_sandbox_file(box.id, path, content).data
        assert written.file_path == path and written.sandbox_id == box.id
        box.files[path] = content
        assert self.client.read_sandbox_file(box.id, path).data.content == content
        self.ran("file round trip")

    @precondition(lambda self: self.living("RUNNING"))
    @rule(data=st.data(), path=PATHS, text=st.text(st.characters(codec="utf-8"), max_size=40))
    def write_a_file(self, data, path, text):
        self.write(self.draw_box(data), path, text.encode())

    def run_cat(self, box: Box, path: str) -> None:
        ran = self.client.run_sandbox_command_and_wait(box.id, sbx.RunSandboxCommandDetails(command="cat", args=[path])).data
        if path in box.files:
            assert (ran.exit_code, ran.output.stdout) == (0, box.files[path].decode("utf-8", "replace"))
        else:
            assert ran.exit_code != 0 and ran.output.stderr
        got = self.client.get_sandbox_command(box.id, ran.id).data
        assert (got.exit_code, got.command, got.sandbox_id) == (ran.exit_code, "cat", box.id)
        self.ran("command output")

    @precondition(lambda self: self.living("RUNNING"))
    @rule(data=st.data(), path=PATHS)
    def cat_a_file(self, data, path):
        self.run_cat(self.draw_box(data), path)

    def run_unknown(self, box: Box) -> None:
        ran = self.client.run_sandbox_command_and_wait(box.id, sbx.RunSandboxCommandDetails(command="no-such-program")).data
        assert ran.exit_code == 127 and ran.output.stderr
        self.ran("unknown command 127")

    def stream_echo(self, box: Box, word: str) -> None:
        streamed = self.client.run_sandbox_command_and_stream(box.id, sbx.RunSandboxCommandDetails(command="echo", args=[word]))
        events = [json.loads(line) for line in streamed.data.content.decode().splitlines() if line.strip()]
        assert [e["seq"] for e in events] == sorted(e["seq"] for e in events) and events[-1]["event"] == "FINISHED"
        assert "".join(e.get("data") or "" for e in events if e["event"] == "STDOUT") == f"{word}\n"
        assert events[-1]["exitCode"] == 0
        self.ran("command streamed")

    @precondition(lambda self: self.living("RUNNING"))
    @rule(data=st.data(), word=WORDS)
    def stream_a_command(self, data, word):
        self.stream_echo(self.draw_box(data), word)

    # lists --------------------------------------------------------------------------------------
    def check_list(self, limit: int, sort_by: str | None, sort_order: str | None, **filters) -> None:
        sorting = {k: v for k, v in (("sort_by", sort_by), ("sort_order", sort_order)) if v}
        items = pages(self.client.list_sandboxes, project_id=self.project, limit=limit, **sorting, **filters)
        ids = [i.id for i in items]
        assert len(ids) == len(set(ids)), "a sandbox came twice across pages"
        field = "display_name" if sort_by == "displayName" else "time_created"
        keys = [getattr(i, field) for i in items]
        assert keys == sorted(keys, reverse=sort_order == "DESC"), f"not sorted by {sort_by} {sort_order}"
        wanted = {b.id for b in self.living() if filters.get("display_name", b.name) == b.name}
        everything = {b.id for b in self.boxes}
        assert wanted <= set(ids) <= everything, f"list {filters}: {ids}"
        if items.pages > 1:
            self.ran("list over pages")
        if filters and wanted:
            self.ran("list filtered")

    @rule(limit=st.integers(1, 3), sort_by=st.sampled_from([None, "timeCreated", "displayName"]),
          sort_order=st.sampled_from([None, "ASC", "DESC"]), data=st.data())
    def list_sorted_and_paged(self, limit, sort_by, sort_order, data):
        self.check_list(limit, sort_by, sort_order)
        if self.living():
            box = data.draw(st.sampled_from(self.living()), label="filtered on")
            self.check_list(limit, sort_by, sort_order, display_name=box.name)

    @invariant()
    def lists_show_the_projects_sandboxes(self):
        self.check_list(100, None, None)

    def teardown(self):
        for box in self.living():
            self.client.delete_sandbox(box.id)
            box.state = "DELETED"
        delete_project(self.ctx, self.project)


@pytest.mark.costly()
def test_sandboxes(contract, request):
    run_machine(contract, request.node.nodeid, SandboxMachine)
