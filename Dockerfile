# oci-genai-emulator as a container:
#   docker build -t oci-genai-emulator .
#   docker run --rm -p 127.0.0.1:8080:8080 oci-genai-emulator
# Arguments after the image name replace `serve` (e.g. `serve --auth strict`), and every flag also
# has an OCI_EMULATOR_<NAME> environment variable (`-e OCI_EMULATOR_AUTH=strict`).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# A fixed numeric uid, so orchestrators can verify "runs as non-root" from the image alone.
# /data belongs to it: a named volume mounted there starts out writable by the emulator.
RUN useradd --system --uid 10001 --user-group --create-home --home-dir /home/emulator \
        --shell /usr/sbin/nologin emulator \
    && mkdir /data \
    && chown emulator:emulator /data

# Dependencies first, read from pyproject.toml, in their own layer: editing the emulator's code
# rebuilds only the small layer below.
COPY pyproject.toml /tmp/pyproject.toml
RUN python -c "import tomllib; print(*tomllib.load(open('/tmp/pyproject.toml', 'rb'))['project']['dependencies'], sep='\n')" \
        > /tmp/requirements.txt \
    && python -m pip install --no-cache-dir -r /tmp/requirements.txt \
    && rm /tmp/pyproject.toml /tmp/requirements.txt

# A regular (non-editable) install: the spec JSON files and the model catalog go into
# site-packages with the code, and the sources are dropped in the same layer.
COPY . /tmp/src
RUN python -m pip install --no-cache-dir /tmp/src \
    && rm -rf /tmp/src

# State is in memory by default (OCI_EMULATOR_DATA_DIR unset), as with the command line: every
# container starts from a clean emulator, which is what test suites want. To keep state across
# restarts, mount a volume here and set OCI_EMULATOR_DATA_DIR=/data (or pass --data-dir /data);
# --workers > 1 needs it, since workers share state through the SQLite file in it.
VOLUME ["/data"]

# Listen on every interface of the container; publish the port to choose who can reach it
# (-p 127.0.0.1:8080:8080 for this machine only). OCI_EMULATOR_AUTH (off|loose|strict),
# OCI_EMULATOR_WORKERS, OCI_EMULATOR_REGION and OCI_EMULATOR_LOG_LEVEL work the same way.
ENV OCI_EMULATOR_HOST=0.0.0.0 \
    OCI_EMULATOR_PORT=8080
EXPOSE 8080

USER 10001:10001
WORKDIR /home/emulator

# Python rather than curl, which the official slim image lacks. It follows OCI_EMULATOR_PORT;
# if you change the port with --port instead, set OCI_EMULATOR_PORT too (or use --health-cmd).
HEALTHCHECK --interval=5s --timeout=3s --start-period=10s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/_emulator/health' % os.environ.get('OCI_EMULATOR_PORT', '8080'), timeout=2)"]

# Python as PID 1 is fine: the emulator exits cleanly on SIGTERM (docker stop).
ENTRYPOINT ["python", "-m", "emulator"]
CMD ["serve"]
