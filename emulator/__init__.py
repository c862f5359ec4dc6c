"""oci-genai-emulator: an offline, stateful emulator of OCI Generative AI."""

__version__ = "0.1.0"
