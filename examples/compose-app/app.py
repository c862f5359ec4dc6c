"""A tiny application that uses the real oci SDK against the emulator in the compose stack.

It lists the base models, creates a dedicated AI cluster and waits for it to be ACTIVE, then
exits 0 (anything else raises, so the process exits non-zero). The emulator's default auth mode
(loose) accepts any signed request: a key pair made on the spot is enough.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

import oci
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

ENDPOINT = os.environ.get("OCI_GENAI_ENDPOINT", "http://emulator:8080")
COMPARTMENT = os.environ.get("OCI_COMPARTMENT_ID", "ocid1.compartment.oc1..aaaaaaaacomposeappcompartment")


def oci_config(directory: Path) -> dict:
    """What `oci setup config` would write: a fresh RSA key and its fingerprint."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    key_file = directory / "key.pem"
    key_file.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    der = key.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    digest = hashlib.md5(der, usedforsecurity=False).hexdigest()
    return {
        "user": "ocid1.user.oc1..aaaaaaaacomposeappuser",
        "tenancy": "ocid1.tenancy.oc1..aaaaaaaacomposeapptenancy",
        "fingerprint": ":".join(digest[i : i + 2] for i in range(0, len(digest), 2)),
        "key_file": str(key_file),
        "region": "us-chicago-1",
    }


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        genai = oci.generative_ai.GenerativeAiClient(oci_config(Path(tmp)), service_endpoint=ENDPOINT)

        models = oci.pagination.list_call_get_all_results(genai.list_models, COMPARTMENT).data
        chat = sorted({m.display_name for m in models if "CHAT" in (m.capabilities or [])})
        print(f"{len(models)} models, {len(chat)} for chat, e.g. {', '.join(chat[:3])}")
        assert models, "the catalog is empty"

        created = genai.create_dedicated_ai_cluster(
            oci.generative_ai.models.CreateDedicatedAiClusterDetails(
                compartment_id=COMPARTMENT,
                display_name="compose-app",
                type="HOSTING",
                unit_shape="SMALL_COHERE_V2",
                unit_count=1,
            )
        ).data
        print(f"created {created.id} ({created.lifecycle_state})")
        cluster = oci.wait_until(
            genai,
            genai.get_dedicated_ai_cluster(created.id),
            "lifecycle_state",
            "ACTIVE",
            max_wait_seconds=60,
            max_interval_seconds=1,
        ).data
        print(f"cluster {cluster.display_name} is {cluster.lifecycle_state}")


if __name__ == "__main__":
    main()
