"""Parity snapshots: fixed scenarios whose normalized responses are recorded from a target
(``--record``) or, on either target, compared by structure with ``snapshots/`` (see snapshots.py).

Two scenarios: free calls (catalog, on-demand chat and embeddings, errors) and a lifecycle (an
imported model from create to delete, with its work requests; reads and an update of the shared
hosting cluster), which creates resources and so is costly on a tenancy.
"""

from __future__ import annotations

import pytest
from oci.generative_ai import models
from oci.generative_ai_inference import models as inference

from .context import Run
from .machines import expect_error
from .shared import COHERE_CHAT_MODEL, EMBED_MODEL, GENERIC_CHAT_MODEL, HOSTING, HUGGING_FACE_MODEL, base_model

NO_SUCH_CLUSTER = "ocid1.generativeaidedicatedaicluster.oc1.us-chicago-1.amaaaaaacontractnosuchcluster"


def finish(contract: Run) -> None:
    """Record what the cases saw (``--record``), or compare it with the snapshots (either target)."""
    book = contract.snapshots
    try:
        if contract.options.record:
            for path in book.record():
                contract.log(f"recorded {path}")
            return
        differences, missing = book.differences()
        assert not missing, f"no snapshot for {missing}: record them with --record"
        listed = "\n".join(map(str, differences))
        assert not differences, (
            f"{contract.target.kind} differs from the snapshots (recorded from {', '.join(sorted(book.sources()))}; "
            f"known differences: ALLOWED_DIFFERENCES.json):\n{listed}"
        )
    finally:
        book.seen.clear()
        book.unknown.clear()


def test_free_calls_match_the_snapshots(contract):
    g, i, c, book = contract.genai, contract.inference, contract.compartment, contract.snapshots
    with book.case("chat_model_by_name"):
        g.list_models(c, display_name=COHERE_CHAT_MODEL, capability=["CHAT"])
    with book.case("base_model"):
        g.get_model(base_model(contract, COHERE_CHAT_MODEL, "CHAT"))
    with book.case("not_found"):
        expect_error(404, None, lambda: g.get_dedicated_ai_cluster(NO_SUCH_CLUSTER))
    with book.case("empty"):
        g.list_dedicated_ai_clusters(c, display_name=f"contract-nothing-{contract.options.run_id}")
    on_demand = inference.OnDemandServingMode
    with book.case("generic"):
        i.chat(inference.ChatDetails(
            compartment_id=c,
            serving_mode=on_demand(model_id=GENERIC_CHAT_MODEL),
            chat_request=inference.GenericChatRequest(
                messages=[inference.UserMessage(content=[inference.TextContent(text="Name a color.")])], max_tokens=20
            ),
        ))
    with book.case("cohere"):
        i.chat(inference.ChatDetails(
            compartment_id=c,
            serving_mode=on_demand(model_id=COHERE_CHAT_MODEL),
            chat_request=inference.CohereChatRequest(message="Name a color.", max_tokens=20),
        ))
    embed = lambda texts: i.embed_text(inference.EmbedTextDetails(  # noqa: E731
        compartment_id=c, serving_mode=on_demand(model_id=EMBED_MODEL), inputs=texts
    ))
    with book.case("three_inputs"):
        embed(["a red car", "a blue boat", "a green tree"])
    with book.case("too_many_inputs"):
        expect_error(400, None, lambda: embed(["word"] * 97))
    finish(contract)


@pytest.mark.costly(HOSTING)
def test_lifecycle_matches_the_snapshots(contract, hosting_cluster, request):
    g, c, book = contract.genai, contract.compartment, contract.snapshots
    with contract.spend(request.node.nodeid) as budget:
        assert budget.reserve("parity"), "the test's share of the resource cap is spent"
    details = models.CreateImportedModelDetails(
        compartment_id=c,
        display_name=f"contract-parity-{contract.options.run_id}",
        data_source=models.HuggingFaceModel(model_id=HUGGING_FACE_MODEL),
        freeform_tags=contract.tags(),
    )
    with book.case("created"):
        created = g.create_imported_model(details)
    model_id, created_wr = created.data.id, created.headers["opc-work-request-id"]
    contract.remember(model_id)
    with book.case("succeeded"):
        contract.wait_for_work_request(created_wr)
    with book.case("active"):
        etag = g.get_imported_model(model_id).headers["etag"]
    with book.case("updating"):
        details = models.UpdateImportedModelDetails(description="parity")
        updated = g.update_imported_model(model_id, details, if_match=etag)
    contract.wait_for_work_request(updated.headers["opc-work-request-id"])
    with book.case("stale_etag"):
        expect_error(412, None, lambda: g.update_imported_model(model_id, details, if_match=etag))
    with book.case("one_item"):
        g.list_imported_models(c, id=model_id)
        g.list_work_requests(c, resource_id=model_id, limit=1)
    with book.case("logs"):
        g.list_work_request_logs(created_wr)
    with book.case("none"):
        g.list_work_request_errors(created_wr)
    if len(contract.compartments) > 1:
        with book.case("moved"):
            moved = g.change_imported_model_compartment(
                model_id, models.ChangeImportedModelCompartmentDetails(compartment_id=contract.compartments[1])
            )
        contract.wait_for_work_request(moved.headers["opc-work-request-id"])
    with book.case("deleting"):
        deleted = g.delete_imported_model(model_id)
    contract.wait_for_work_request(deleted.headers["opc-work-request-id"])
    # not a case: a deleted resource reads DELETED or, once purged, 404 (both fine, and a status is never masked)
    assert contract.read_state("get_imported_model", model_id) in ("DELETED", "404")

    with book.case("active"):
        cluster = g.get_dedicated_ai_cluster(hosting_cluster)
    with book.case("one_item"):
        g.list_dedicated_ai_clusters(c, id=hosting_cluster)
    with book.case("updating"):
        update = models.UpdateDedicatedAiClusterDetails(description="parity")
        updated = g.update_dedicated_ai_cluster(hosting_cluster, update, if_match=cluster.headers["etag"])
    with book.case("cluster_updated"):
        contract.wait_for_work_request(updated.headers["opc-work-request-id"])
    contract.wait_for_state("get_dedicated_ai_cluster", hosting_cluster, ("ACTIVE",))
    finish(contract)
