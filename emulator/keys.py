"""``oci-genai-emulator config``: an OCI config profile and key pair that the emulator trusts.

The private key goes to ``~/.oci-genai-emulator/keys/<profile>.pem``; ``serve --auth strict``
trusts every key in that folder (also keys written after it started), so ``config`` then
``serve --auth strict`` works with no flags. Running ``config`` again for a profile keeps its
tenancy, user and key (a new tenancy would hide every resource made so far) unless asked to
``regenerate``.
"""

from __future__ import annotations

import configparser
import hashlib
import os
import re
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from .protocol.auth import fingerprint
from .settings import user_home


def _ocid(kind: str, profile: str, salt: str) -> str:
    digest = hashlib.sha256(f"{kind}|{profile}|{salt}".encode()).hexdigest()[:40]
    return f"ocid1.{kind}.oc1..aaaaaaaa{digest}"


PROFILE_RE = re.compile(r"[A-Za-z0-9_.-]{1,64}")
IDENTITY = ("user", "tenancy")


def _existing(parser: configparser.ConfigParser, profile: str) -> dict:
    section = parser.defaults() if profile == "DEFAULT" else (parser[profile] if parser.has_section(profile) else {})
    return dict(section)


def _new_key(key_file: Path) -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    key_file.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    os.chmod(key_file, 0o600)
    return fingerprint(key.public_key())


def _key_fingerprint(key_file: str) -> str | None:
    """The fingerprint of the private key in ``key_file``, or None when it is no usable key."""
    try:
        return fingerprint(serialization.load_pem_private_key(Path(key_file).read_bytes(), password=None).public_key())
    except (OSError, ValueError, TypeError):
        return None


def write_profile(
    profile: str = "DEFAULT", config_file: Path | None = None, region: str | None = None, regenerate: bool = False
) -> dict:
    """Write ``profile`` in ``config_file``; returns it, with ``kept`` naming what an existing
    profile kept (its tenancy, user and key, unless ``regenerate``; a missing key is made anew).
    ValueError for a profile name that cannot name a file."""
    if not PROFILE_RE.fullmatch(profile):
        raise ValueError(f"--profile {profile[:80]!r}: use 1 to 64 letters, digits, '.', '_' or '-'")
    home = user_home()
    config_file = Path(config_file or home / "config").expanduser()
    parser = configparser.ConfigParser(interpolation=None)
    if config_file.exists():
        try:
            parser.read(config_file)
        except configparser.Error as exc:
            raise ValueError(f"--file {config_file}: not an OCI config file ({str(exc).splitlines()[0]})") from None
    old = {} if regenerate else _existing(parser, profile)
    kept = [name for name in IDENTITY if old.get(name)]
    salt = os.urandom(8).hex()
    entry = {name: old.get(name) or _ocid(name, profile, salt) for name in IDENTITY}
    fp = _key_fingerprint(old["key_file"]) if old.get("key_file") else None
    if fp is not None:
        entry.update(fingerprint=fp, key_file=old["key_file"])
        kept.append("key")
    else:
        key_dir = home / "keys"
        key_dir.mkdir(parents=True, exist_ok=True)
        key_file = key_dir / f"{profile.lower()}.pem"
        entry.update(fingerprint=_new_key(key_file), key_file=str(key_file))
    entry = {"user": entry["user"], "fingerprint": entry["fingerprint"], "tenancy": entry["tenancy"],
             "region": region or old.get("region") or "us-chicago-1", "key_file": entry["key_file"]}
    if profile == "DEFAULT":
        parser[configparser.DEFAULTSECT] = entry
    else:
        parser[profile] = entry
    config_file.parent.mkdir(parents=True, exist_ok=True)
    with config_file.open("w") as fh:
        parser.write(fh)
    os.chmod(config_file, 0o600)
    return {"file": str(config_file), "profile": profile, "kept": kept, **entry}
