"""Client-side helpers for code that talks to the OCI Generative AI emulator."""
