"""Command line: ``oci-genai-emulator serve | config | state export|import``."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

from . import __version__
from .settings import AUTH_MODES, EMBEDDINGS, SERVERS, Settings


def _serve(args: argparse.Namespace) -> int:
    settings = Settings.from_env(
        host=args.host,
        port=args.port,
        data_dir=args.data_dir,
        auth=args.auth,
        workers=args.workers,
        threads=args.threads,
        server=args.server,
        region=args.region,
        trusted_keys=args.trust_key or None,
        rules=args.rules,
        seed=args.seed,
        embeddings=args.embeddings,
    )
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if settings.workers > 1 and not settings.data_dir:
        print("--workers > 1 needs --data-dir: workers share state through one SQLite file.", file=sys.stderr)
        return 2
    if settings.workers > 1 and settings.server == "waitress":
        print("--workers > 1 needs --server granian: waitress runs one process.", file=sys.stderr)
        return 2
    if settings.embeddings == "semantic":
        from .inference.semantic import unavailable_reason

        reason = unavailable_reason()
        if reason:
            print(f"--embeddings semantic: {reason}", file=sys.stderr)
            return 2
    if settings.rules:
        settings.rules = os.path.abspath(settings.rules)
        from .inference.generators import ConfigError
        from .inference.generators.rules import load_file

        try:
            load_file(settings.rules)
        except ConfigError as exc:
            print(f"--rules: {exc}", file=sys.stderr)
            return 2
    from .server import run

    run(settings)
    return 0


def _config(args: argparse.Namespace) -> int:
    from .keys import write_profile

    entry = write_profile(args.profile, args.file, args.region)
    url = f"http://127.0.0.1:{args.port}"
    print(f"Wrote profile [{entry['profile']}] to {entry['file']} (key: {entry['key_file']}).")
    print(f"Tenancy: {entry['tenancy']}")
    print()
    print("Python SDK:")
    print("  import oci")
    print(f"  config = oci.config.from_file({entry['file']!r}, {entry['profile']!r})")
    print(f"  client = oci.generative_ai.GenerativeAiClient(config, service_endpoint={url!r})")
    print()
    print("oci CLI:")
    print(f"  oci --config-file {entry['file']} --profile {entry['profile']} --endpoint {url} \\")
    print(f"      generative-ai model-collection list-models --compartment-id {entry['tenancy']} --all")
    print()
    print("`oci-genai-emulator serve --auth strict` trusts this key with no further flags.")
    return 0


def _admin_call(url: str, method: str, body: dict | None = None) -> dict:
    import json
    import urllib.error
    import urllib.request

    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(f"{url.rstrip('/')}/_emulator/state", data=data, method=method)
    req.add_header("content-type", "application/json")
    try:
        with urllib.request.urlopen(req, timeout=60) as resp:
            return json.loads(resp.read())
    except urllib.error.HTTPError as exc:
        try:
            message = json.loads(exc.read()).get("message", exc.reason)
        except ValueError:
            message = exc.reason
        raise RuntimeError(f"the emulator at {url} answered {exc.code}: {message}") from None
    except (urllib.error.URLError, OSError) as exc:
        raise RuntimeError(f"cannot reach the emulator at {url}: {getattr(exc, 'reason', exc)}") from None


def _state_export(args: argparse.Namespace) -> int:
    import json

    try:
        snapshot = _admin_call(args.url, "GET")
    except RuntimeError as exc:
        print(exc, file=sys.stderr)
        return 1
    text = json.dumps(snapshot, indent=2, sort_keys=True) + "\n"
    if args.file == "-":
        sys.stdout.write(text)
    else:
        with open(args.file, "w") as fh:
            fh.write(text)
        print(
            f"Exported {len(snapshot['resources'])} resources and {len(snapshot['workRequests'])} work requests "
            f"from {args.url} to {args.file}."
        )
    return 0


def _state_import(args: argparse.Namespace) -> int:
    import json

    try:
        text = sys.stdin.read() if args.file == "-" else Path(args.file).read_text()
        snapshot = json.loads(text)
    except (OSError, ValueError) as exc:
        print(f"cannot read the state file {args.file}: {exc}", file=sys.stderr)
        return 2
    try:
        counts = _admin_call(args.url, "POST", snapshot)["imported"]
    except RuntimeError as exc:
        print(exc, file=sys.stderr)
        return 1
    print(f"Imported {counts['resources']} resources and {counts['workRequests']} work requests into {args.url}.")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="oci-genai-emulator", description="Offline emulator of OCI Generative AI.")
    parser.add_argument("--version", action="version", version=__version__)
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="run the emulator")
    serve.add_argument("--host", default=None, help="address to listen on (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=None, help="port (default 8080; 0 picks a free one)")
    serve.add_argument("--data-dir", default=None, help="keep state in this folder (default: in memory)")
    serve.add_argument("--auth", choices=AUTH_MODES, default=None, help="request signature checks (default loose)")
    serve.add_argument("--workers", type=int, default=None, help="worker processes (needs --data-dir)")
    serve.add_argument("--threads", type=int, default=None, help="server threads per worker (default 2): one answers at a time, the others wait out slow answers (latency simulation, proxy)")
    serve.add_argument("--server", choices=SERVERS, default=None, help="WSGI server (default granian)")
    serve.add_argument("--region", default=None, help="region named in OCIDs (default us-chicago-1)")
    serve.add_argument("--trust-key", action="append", help="PEM key to trust in strict mode (repeatable)")
    serve.add_argument("--rules", default=None, help="YAML or JSON file of canned chat replies and tool calls")
    serve.add_argument("--embeddings", choices=EMBEDDINGS, default=None,
                       help="embedding and rerank models: feature hashing (default) or a small sentence-embedding "
                            "model (semantic, needs the 'semantic' extra)")
    serve.add_argument("--seed", default=None, metavar="FILE", help="start with the state in FILE (from `state export`), replacing what --data-dir holds")
    serve.set_defaults(func=_serve)

    config = sub.add_parser("config", help="write an OCI config profile and key pair the emulator trusts")
    config.add_argument("--profile", default="DEFAULT")
    config.add_argument("--file", default=None, help="config file (default ~/.oci-genai-emulator/config)")
    config.add_argument("--region", default="us-chicago-1")
    config.add_argument("--port", type=int, default=8080, help="port shown in the printed examples")
    config.set_defaults(func=_config)

    state = sub.add_parser("state", help="snapshot or seed a running emulator's state (resources, work requests, clock, policies)")
    actions = state.add_subparsers(dest="action", required=True)
    default_url = os.environ.get("OCI_GENAI_EMULATOR_URL", "http://127.0.0.1:8080")
    export = actions.add_parser("export", help="write the emulator's state to FILE ('-' for stdout)")
    export.add_argument("file", metavar="FILE")
    export.add_argument("--url", default=default_url, help=f"the emulator (default $OCI_GENAI_EMULATOR_URL or {default_url})")
    export.set_defaults(func=_state_export)
    load = actions.add_parser("import", help="replace the emulator's state with FILE ('-' for stdin); the catalog stays")
    load.add_argument("file", metavar="FILE")
    load.add_argument("--url", default=default_url, help=f"the emulator (default $OCI_GENAI_EMULATOR_URL or {default_url})")
    load.set_defaults(func=_state_import)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
