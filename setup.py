"""The package list, computed at build time (everything else is in pyproject.toml).

Every package under emulator/ is found automatically, so a new subpackage cannot be left out of a
wheel or the container image; specs/ is installed as ``emulator.specs`` (``package-dir`` in
pyproject.toml). A static ``packages = [...]`` in pyproject.toml cannot both discover and rename.
"""

from setuptools import find_packages, setup

setup(
    packages=[
        *find_packages(include=["emulator", "emulator.*"]),
        "emulator.specs",
        *find_packages("client", include=["ocigenai", "ocigenai.*"]),  # the thin client (package-dir)
    ]
)
