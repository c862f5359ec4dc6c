"""``oci-genai-emulator config``: an OCI config profile and key pair that the emulator trusts.

The private key goes to ``~/.oci-genai-emulator/keys/<profile>.pem``; ``serve --auth strict``
trusts every key in that folder, so ``config`` then ``serve --auth strict`` works with no flags.
"""

from __future__ import annotations

import configparser
import hashlib
import os
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from .protocol.auth import fingerprint
from .settings import user_home


def _ocid(kind: str, profile: str, salt: str) -> str:
    digest = hashlib.sha256(f"{kind}|{profile}|{salt}".encode()).hexdigest()[:40]
    return f"ocid1.{kind}.oc1..aaaaaaaa{digest}"


def write_profile(profile: str = "DEFAULT", config_file: Path | None = None, region: str = "us-chicago-1") -> dict:
    """Create a key pair and write (or replace) ``profile`` in ``config_file``; returns the profile."""
    home = user_home()
    config_file = Path(config_file or home / "config").expanduser()
    key_dir = home / "keys"
    key_dir.mkdir(parents=True, exist_ok=True)
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    key_file = key_dir / f"{profile.lower()}.pem"
    key_file.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    os.chmod(key_file, 0o600)
    salt = os.urandom(8).hex()
    entry = {
        "user": _ocid("user", profile, salt),
        "fingerprint": fingerprint(key.public_key()),
        "tenancy": _ocid("tenancy", profile, salt),
        "region": region,
        "key_file": str(key_file),
    }
    parser = configparser.ConfigParser(interpolation=None)
    if config_file.exists():
        parser.read(config_file)
    if profile == "DEFAULT":
        parser[configparser.DEFAULTSECT] = entry
    else:
        parser[profile] = entry
    config_file.parent.mkdir(parents=True, exist_ok=True)
    with config_file.open("w") as fh:
        parser.write(fh)
    os.chmod(config_file, 0o600)
    return {"file": str(config_file), "profile": profile, **entry}
