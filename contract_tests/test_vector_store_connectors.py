"""Vector store connectors: the shared resource rules (no compartment move), and their file syncs:
a sync is accepted with a TRIGGER_FILE_SYNC work request, keeps its connector from being deleted
while it runs (409), ends SUCCEEDED with statistics, or is cancelled through CANCELING."""

from __future__ import annotations

import pytest
from hypothesis import strategies as st
from hypothesis.stateful import precondition, rule
from oci.generative_ai import models

from .machines import ResourceMachine, expect_error, run_machine

# Any vector store OCID works on the emulator; a tenancy needs a vector store and a bucket the suite does not make.
VECTOR_STORE = "ocid1.generativeaivectorstore.oc1.us-chicago-1.amaaaaaacontract"
PREFIXES = st.lists(st.sampled_from(["docs/", "faq/", "manuals/"]), min_size=1, max_size=2, unique=True)


class VectorStoreConnectorMachine(ResourceMachine):
    KEY_RULES = ResourceMachine.KEY_RULES + ("file sync", "cancel file sync")
    noun = "vector_store_connector"
    entity = "GenerativeAiVectorStoreConnector"
    label = "vector-store-connector"
    movable = False  # the SDK has no change_vector_store_connector_compartment
    sort_fields = ("timeCreated", "name")

    def create_details(self, name, compartment, data):
        return models.CreateVectorStoreConnectorDetails(
            compartment_id=compartment,
            vector_store_id=VECTOR_STORE,
            display_name=name,
            configuration=models.OciObjectStorageConfiguration(storage_config_list=[
                models.ObjectStorageConfig(namespace="contract", bucket_name="docs", prefix_list=data.draw(PREFIXES, label="prefixes"))]),
            freeform_tags=self.tags(),
        )

    def update_details(self, name):
        return models.UpdateVectorStoreConnectorDetails(display_name=name, description=f"renamed {name}")

    def check_resource(self, r, data):
        assert data.vector_store_id == VECTOR_STORE and data.tenant_id
        assert data.configuration.storage_config_list[0].bucket_name == "docs"

    def start_sync(self, r):
        response = self.client.create_vector_store_connector_file_sync(
            models.CreateVectorStoreConnectorFileSyncDetails(vector_store_connector_id=r.id, freeform_tags=self.tags())
        )
        sync = response.data
        assert sync.lifecycle_state == "ACCEPTED" and sync.vector_store_connector_id == r.id
        assert sync.compartment_id == r.compartment and sync.trigger_type == "MANUAL"
        return sync, response.headers["opc-work-request-id"]

    @precondition(lambda self: self.live())
    @rule(data=st.data())
    def sync_a_connector(self, data):
        r = self.draw_settled(data, "synced")
        sync, wr_id = self.start_sync(r)
        if not self.ctx.on_oci:  # on the emulator it runs until the kit lands it
            expect_error(409, ("Conflict",), lambda: self.client.delete_vector_store_connector(r.id),
                         adopt=lambda answer: self.deleting(r, answer))
        wr, _ = self.ctx.wait_for_work_request(wr_id)
        assert (wr.operation_type, wr.status) == ("TRIGGER_FILE_SYNC", "SUCCEEDED")
        done = self.client.get_vector_store_connector_file_sync(sync.id).data
        assert done.lifecycle_state == "SUCCEEDED" and done.stats is not None
        stats = self.client.get_vector_store_connector_stats(r.id).data
        assert stats.in_progress.total_files_synced == 0
        logs = self.client.list_vector_store_connector_file_sync_ingestion_logs(sync.id).data.items
        assert logs and all(log.status == "COMPLETED" for log in logs)
        self.ran("file sync")

    @precondition(lambda self: self.live() and not self.ctx.on_oci)
    @rule(data=st.data())
    def cancel_a_sync(self, data):
        r = self.draw_settled(data, "cancelled")
        sync, _ = self.start_sync(r)
        cancel = self.client.cancel_vector_store_connector_file_sync(sync.id)
        assert self.client.get_vector_store_connector_file_sync(sync.id).data.lifecycle_state == "CANCELING"
        self.ctx.wait_for_work_request(cancel.headers["opc-work-request-id"])
        assert self.client.get_vector_store_connector_file_sync(sync.id).data.lifecycle_state == "CANCELED"
        expect_error(409, None, lambda: self.client.cancel_vector_store_connector_file_sync(sync.id))
        self.ran("cancel file sync")


@pytest.mark.emulator_only("a tenancy needs a vector store and an Object Storage bucket, which the suite does not make")
def test_vector_store_connectors(contract, request):
    run_machine(contract, request.node.nodeid, VectorStoreConnectorMachine)
