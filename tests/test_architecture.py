"""The shape the emulator keeps: every operation handled or declared unimplemented, one dialect per
API surface, and modules in layers that never import upwards."""

from __future__ import annotations

import ast
import threading
import types
from pathlib import Path

import oci
import openai
import pytest
import requests
from werkzeug.serving import make_server

from emulator import registry
from emulator.app import create_pipeline
from emulator.call import Result, operation
from emulator.management import semantic_stores
from emulator.settings import Settings
from emulator.spec import Spec
from emulator.surfaces import SURFACES, surface_for

PACKAGE = Path(__file__).resolve().parent.parent / "emulator"
SPEC = Spec()


# -- the handler table -----------------------------------------------------------------------------
def test_every_operation_has_a_handler_or_is_declared_not_implemented():
    table = registry.handlers(SPEC.operations)
    declared = {name for names in registry.NOT_IMPLEMENTED.values() for name in names}
    assert set(table) | declared == set(SPEC.operations)
    assert not set(table) & declared


def _module(name: str, *functions) -> types.ModuleType:
    module = types.ModuleType(name)
    for fn in functions:
        fn.__module__ = name
        setattr(module, fn.__name__, fn)
    return module


def test_a_misspelt_handler_stops_start_up():
    @operation
    def create_dedicated_ai_clustr(call):  # one letter short
        return Result()

    with pytest.raises(registry.RegistryError, match="create_dedicated_ai_clustr .* is no operation of specs/"):
        registry.handlers(SPEC.operations, registry.FAMILIES + registry.ACTIONS + (_module("typo", create_dedicated_ai_clustr),))


WITHOUT_SEMANTIC_STORES = tuple(m for m in registry.FAMILIES + registry.ACTIONS if m is not semantic_stores)
SEMANTIC_STORES_UNBUILT = {**registry.NOT_IMPLEMENTED, "semantic stores": tuple(registry.marked([semantic_stores]))}


def test_an_operation_with_no_handler_and_no_declaration_stops_start_up():
    with pytest.raises(registry.RegistryError, match="get_semantic_store .* has no handler and is not declared"):
        registry.handlers(SPEC.operations, WITHOUT_SEMANTIC_STORES)


def test_an_operation_both_handled_and_declared_stops_start_up():
    declared = {**registry.NOT_IMPLEMENTED, "oops": ("get_endpoint",)}
    with pytest.raises(registry.RegistryError, match="get_endpoint has a handler and is declared not implemented"):
        registry.handlers(SPEC.operations, not_implemented=declared)


def test_a_function_that_is_not_marked_is_no_handler():
    def get_semantic_store(call):  # named after an operation, but not marked: not picked up by name alone
        return Result()

    unmarked = WITHOUT_SEMANTIC_STORES + (_module("unmarked", get_semantic_store),)
    table = registry.handlers(SPEC.operations, unmarked, not_implemented=SEMANTIC_STORES_UNBUILT)
    assert "get_semantic_store" not in table
    marked = WITHOUT_SEMANTIC_STORES + (_module("marked", operation(get_semantic_store)),)
    with pytest.raises(registry.RegistryError, match="get_semantic_store has a handler"):  # once marked, it is one
        registry.handlers(SPEC.operations, marked, not_implemented=SEMANTIC_STORES_UNBUILT)


@pytest.fixture()
def emulator_without_semantic_stores():
    """An emulator whose registry declares the semantic-store operations not built yet, over real HTTP
    (what a newer SDK's operations meet until they are built)."""
    pipeline = create_pipeline(Settings())
    pipeline.handlers = registry.handlers(SPEC.operations, WITHOUT_SEMANTIC_STORES, not_implemented=SEMANTIC_STORES_UNBUILT)
    server = make_server("127.0.0.1", 0, pipeline, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()


def test_operations_not_built_yet_answer_501_naming_themselves(emulator_without_semantic_stores, oci_config):
    client = oci.generative_ai.GenerativeAiClient(oci_config, service_endpoint=emulator_without_semantic_stores)
    with pytest.raises(oci.exceptions.ServiceError) as exc:
        client.get_semantic_store("ocid1.generativeaisemanticstore.oc1..x")
    assert exc.value.status == 501 and exc.value.code == "NotImplemented"
    assert "GetSemanticStore" in exc.value.message and exc.value.request_id
    assert client.list_endpoints(compartment_id="ocid1.compartment.oc1..c").status == 200  # the rest is served


# -- surfaces --------------------------------------------------------------------------------------
def test_every_operation_lies_under_the_surface_that_serves_its_api():
    for op in SPEC.operations.values():
        for path in op.paths:
            assert op.api in surface_for(path).apis, (op.name, path)
    assert {s.name for s in SURFACES} >= {"oci-management", "oci-inference", "openai", "admin"}


@pytest.mark.parametrize(
    "path, body",
    [
        ("/20231130/noSuchThing", {"code": "NotAuthorizedOrNotFound"}),
        ("/20231130/actions/noSuchThing", {"code": "404"}),
        ("/20260422/noSuchThing", {"code": "NotAuthorizedOrNotFound"}),
        ("/_emulator/noSuchThing", {"code": "NotAuthorizedOrNotFound"}),
        ("/openai/v1/noSuchThing", {"error": {"type": "invalid_request_error", "code": "NotAuthorizedOrNotFound", "param": None}}),
        ("/elsewhere", {"code": "NotAuthorizedOrNotFound"}),
    ],
)
def test_an_unknown_path_is_answered_in_its_apis_dialect_with_the_clients_request_id(emulator_url, path, body):
    resp = requests.get(emulator_url + path, headers={"opc-request-id": "my-request-1"})
    assert resp.status_code == 404 and resp.headers["opc-request-id"] == "my-request-1"
    got = resp.json()
    if "error" in body:
        assert {k: got["error"][k] for k in body["error"]} == body["error"] and got["error"]["message"]
        assert resp.headers["x-request-id"] == "my-request-1"
    else:
        assert got == {**body, "message": got["message"]} and got["message"]


def test_admin_answers_carry_the_clients_request_id(emulator_url):
    for method, path in [("GET", "health"), ("GET", "clock"), ("DELETE", "requests")]:
        resp = requests.request(method, f"{emulator_url}/_emulator/{path}", headers={"opc-request-id": f"admin-{path}"})
        assert resp.ok and resp.headers["opc-request-id"] == f"admin-{path}"
    bad = requests.post(f"{emulator_url}/_emulator/clock", json={"advanceSeconds": "soon"}, headers={"opc-request-id": "bad-1"})
    assert bad.status_code == 400 and bad.headers["opc-request-id"] == "bad-1" and bad.json()["code"] == "InvalidParameter"


def test_the_openai_sdk_reads_the_openai_surfaces_errors(emulator_url):
    client = openai.OpenAI(base_url=f"{emulator_url}/openai/v1", api_key="sk-test", max_retries=0)
    with pytest.raises(openai.NotFoundError) as exc:
        client.models.list()  # a path the emulator does not serve
    assert exc.value.status_code == 404 and exc.value.request_id
    assert exc.value.code == "NotAuthorizedOrNotFound" and exc.value.type == "invalid_request_error"
    with pytest.raises(openai.BadRequestError) as missing:
        client.responses.retrieve("resp_123")  # no project named
    assert missing.value.param == "OpenAI-Project"


# -- layers ----------------------------------------------------------------------------------------
# Bottom first; a module may import from its own layer or below, never above.
LAYERS = [
    ("wire rules", ["emulator", "emulator.settings", "emulator.protocol", "emulator.data"]),
    ("specs", ["emulator.spec"]),
    ("storage", ["emulator.store"]),
    ("state", ["emulator.kinds", "emulator.lifecycle", "emulator.catalog", "emulator.journal", "emulator.faults",
               "emulator.throttling", "emulator.keys", "emulator.gate"]),
    ("calls", ["emulator.call"]),
    ("behaviour", ["emulator.management", "emulator.inference", "emulator.openai_compat", "emulator.admin", "emulator.dashboard",
                   "emulator.state"]),
    ("assembly", ["emulator.registry", "emulator.surfaces", "emulator.pipeline", "emulator.app"]),
    ("entry points", ["emulator.server", "emulator.preflight", "emulator.cli", "emulator.__main__"]),
]


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path, modules: set[str]) -> set[str]:
    """Modules of the package that ``path`` imports at run time (not under ``if TYPE_CHECKING``);
    ``from package import module`` counts as importing the module."""
    name = _module_name(path)
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    tree = ast.parse(path.read_text())
    skipped = {
        id(node)
        for stmt in ast.walk(tree)
        if isinstance(stmt, ast.If) and "TYPE_CHECKING" in ast.unparse(stmt.test)
        for node in ast.walk(stmt)
    }
    found = set()
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.startswith("emulator")}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            if module.startswith("emulator"):
                for alias in node.names:
                    submodule = f"{module}.{alias.name}"
                    found.add(submodule if submodule in modules else module)
    return found


def _graph() -> dict[str, set[str]]:
    files = {_module_name(p): p for p in PACKAGE.rglob("*.py")}
    return {name: {m for m in _imports(path, set(files)) if m in files and m != name} for name, path in files.items()}


def _layer(module: str) -> int:
    best, length = None, -1
    for index, (_, prefixes) in enumerate(LAYERS):
        for prefix in prefixes:
            if (module == prefix or module.startswith(prefix + ".")) and len(prefix) > length:
                best, length = index, len(prefix)
    assert best is not None, f"{module} is in no layer of tests/test_architecture.py"
    return best


def test_no_module_imports_one_above_it():
    upward = [
        f"{module} ({LAYERS[_layer(module)][0]}) imports {target} ({LAYERS[_layer(target)][0]})"
        for module, targets in _graph().items()
        for target in targets
        if _layer(target) > _layer(module)
    ]
    assert not upward, "\n".join(upward)


def test_modules_import_each_other_without_cycles():
    graph = _graph()
    state: dict[str, str] = {}

    def visit(module: str, trail: list[str]) -> list[str] | None:
        state[module] = "open"
        for target in sorted(graph[module]):
            if state.get(target) == "open":
                return trail + [module, target]
            if target not in state:
                cycle = visit(target, trail + [module])
                if cycle:
                    return cycle
        state[module] = "done"
        return None

    for module in sorted(graph):
        if module not in state:
            cycle = visit(module, [])
            assert cycle is None, " -> ".join(cycle)
