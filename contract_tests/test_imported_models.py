"""Imported models (from Hugging Face): the shared resource rules."""

from __future__ import annotations

import pytest
from oci.generative_ai import models

from .machines import ResourceMachine, run_machine
from .shared import HUGGING_FACE_MODEL


class ImportedModelMachine(ResourceMachine):
    noun = "imported_model"
    entity = "ImportedModel"
    label = "imported-model"

    def create_details(self, name, compartment, data):
        return models.CreateImportedModelDetails(
            compartment_id=compartment,
            display_name=name,
            data_source=models.HuggingFaceModel(model_id=HUGGING_FACE_MODEL),
            freeform_tags=self.tags(),
        )

    def update_details(self, name):
        return models.UpdateImportedModelDetails(display_name=name, description=f"renamed {name}")

    def check_resource(self, r, data):
        assert data.data_source.source_type == "HUGGING_FACE_MODEL"
        assert data.data_source.model_id == HUGGING_FACE_MODEL


@pytest.mark.costly()
def test_imported_models(contract, request):
    run_machine(contract, request.node.nodeid, ImportedModelMachine)
