"""Semantic stores: the shared resource rules (create, delete and moves with work requests, a
synchronous update), the schema each covers, and its data source that the update cannot change."""

from __future__ import annotations

import pytest
from hypothesis import strategies as st
from oci.generative_ai import models

from .machines import ResourceMachine, pages, run_machine

# Any connection OCID works on the emulator; a tenancy needs Database Tools connections the suite does not make.
CONNECTION = "ocid1.databasetoolsconnection.oc1.us-chicago-1.amaaaaaacontract"
SCHEMAS = st.sampled_from(["SALES", "HR", "SH"])
INTERVALS = st.sampled_from([None, "P1D", "PT6H", "P1DT12H"])


class SemanticStoreMachine(ResourceMachine):
    noun = "semantic_store"
    entity = "SemanticStore"
    work_request_entity = "GenerativeAiSemanticStore"
    label = "semantic-store"
    async_update = False  # the SDK has no UPDATE_SEMANTIC_STORE work request

    def create_details(self, name, compartment, data):
        schema = data.draw(SCHEMAS, label="schema")
        interval = data.draw(INTERVALS, label="refresh interval")
        self.schemas[name] = schema
        return models.CreateSemanticStoreDetails(
            compartment_id=compartment,
            display_name=name,
            data_source=models.CreateDataSourceDatabaseToolsConnectionDetails(
                querying_connection_id=CONNECTION + "q", enrichment_connection_id=CONNECTION + "e"
            ),
            schemas=models.CreateSchemasDatabaseToolsConnectionDetails(schemas=[models.SchemaItem(name=schema)]),
            refresh_schedule=models.RefreshScheduleIntervalDetails(value=interval) if interval else None,
            freeform_tags=self.tags(),
        )

    def __init__(self, ctx):
        super().__init__(ctx)
        self.schemas: dict[str, str] = {}  # by the name it was created with

    def update_details(self, name):
        return models.UpdateSemanticStoreDetails(display_name=name, description=f"renamed {name}")

    def check_resource(self, r, data):
        assert data.data_source.querying_connection_id == CONNECTION + "q", "the data source changed"
        assert len(data.schemas.schemas) == 1 and data.schemas.schemas[0].name in self.schemas.values()

    def page_through(self, compartment, limit, **kwargs):
        if "lifecycle_state" in kwargs:  # a repeatable filter here
            kwargs["lifecycle_state"] = [kwargs["lifecycle_state"]]
        return pages(self.sdk("list_{}s"), compartment_id=compartment, limit=limit, **kwargs)


@pytest.mark.emulator_only("a tenancy needs Database Tools connections, which the suite does not make")
def test_semantic_stores(contract, request):
    run_machine(contract, request.node.nodeid, SemanticStoreMachine)
