"""Command line: ``oci-genai-emulator serve | config | state export|import``."""

from __future__ import annotations

import argparse
import logging
import os
import sys

from . import __version__
from .settings import AUTH_MODES, EMBEDDINGS, SERVERS, Settings, SettingsError


def _serve(args: argparse.Namespace) -> int:
    from .preflight import StartupError, check

    try:
        settings = check(
            Settings.from_env(
                host=args.host,
                port=args.port,
                data_dir=args.data_dir,
                auth=args.auth,
                workers=args.workers,
                threads=args.threads,
                server=args.server,
                region=args.region,
                trusted_keys=args.trust_key or None,
                rules=args.rules and os.path.abspath(args.rules),
                seed=args.seed,
                faults=args.faults,
                rate_limits=args.rate_limit or None,
                embeddings=args.embeddings,
            )
        )
    except (SettingsError, StartupError) as exc:
        return _fail(exc)
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if settings.rules:
        settings.rules = os.path.abspath(settings.rules)
    from .server import run

    try:
        run(settings)
    except (OSError, RuntimeError) as exc:  # the address taken between the check and the start
        return _fail(f"--host {settings.host} / --port {settings.port}: cannot listen ({exc})")
    return 0


def _fail(problem) -> int:
    """One line on stderr, exit status 2: how every start-up mistake ends."""
    print(f"oci-genai-emulator: {problem}", file=sys.stderr)
    return 2


def _config(args: argparse.Namespace) -> int:
    from .keys import write_profile

    try:
        entry = write_profile(args.profile, args.file, args.region, regenerate=args.regenerate)
    except (ValueError, OSError) as exc:
        return _fail(exc)
    url = f"http://127.0.0.1:{args.port}"
    if entry["kept"]:
        print(
            f"Kept the {', '.join(entry['kept'])} of the existing profile [{entry['profile']}] in {entry['file']} "
            f"(key: {entry['key_file']}): your resources stay where they are. --regenerate makes new ones."
        )
    else:
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
    from .protocol.validation import parse_document, read_document

    try:
        if args.file == "-":
            snapshot = parse_document(sys.stdin.read(), "the state on standard input")
        else:
            snapshot = read_document(args.file, "state file", yaml=False)
    except ValueError as exc:
        return _fail(exc)
    try:
        counts = _admin_call(args.url, "POST", snapshot)["imported"]
    except RuntimeError as exc:
        print(exc, file=sys.stderr)
        return 1
    print(f"Imported {counts['resources']} resources and {counts['workRequests']} work requests into {args.url}.")
    return 0


def _integer(raw: str) -> int | str:
    """An integer, or the text itself for Settings to refuse in its own words (one line, naming the flag)."""
    try:
        return int(raw)
    except ValueError:
        return raw


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="oci-genai-emulator", description="Offline emulator of OCI Generative AI.")
    parser.add_argument("--version", action="version", version=__version__)
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="run the emulator")
    serve.add_argument("--host", default=None, help="address to listen on (default 127.0.0.1)")
    serve.add_argument("--port", type=_integer, default=None, help="port (default 8080; 0 picks a free one)")
    serve.add_argument("--data-dir", default=None, help="keep state in this folder (default: in memory)")
    serve.add_argument("--auth", default=None, help=f"request signature checks: {', '.join(AUTH_MODES)} (default loose)")
    serve.add_argument("--workers", type=_integer, default=None, help="worker processes (needs --data-dir)")
    serve.add_argument("--threads", type=_integer, default=None, help="server threads per worker (default 2): one answers at a time, the others wait out slow answers (latency simulation, proxy)")
    serve.add_argument("--server", default=None, help=f"WSGI server: {', '.join(SERVERS)} (default granian)")
    serve.add_argument("--region", default=None, help="region named in OCIDs (default us-chicago-1)")
    serve.add_argument("--trust-key", action="append", help="PEM key to trust in strict mode (repeatable)")
    serve.add_argument("--rules", default=None, help="YAML or JSON file of canned chat replies and tool calls")
    serve.add_argument("--embeddings", choices=EMBEDDINGS, default=None,
                       help="embedding and rerank models: feature hashing (default) or a small sentence-embedding "
                            "model (semantic, needs the 'semantic' extra)")
    serve.add_argument("--seed", default=None, metavar="FILE", help="start with the state in FILE (from `state export`), replacing what --data-dir holds")
    serve.add_argument("--faults", default=None, metavar="FILE", help="YAML or JSON list of faults injected from the start (as POST /_emulator/faults takes them)")
    serve.add_argument("--rate-limit", action="append", metavar="[OPERATION=]RATE[/BURST]", help="answer 429 beyond RATE requests a second per tenancy (of OPERATION, or of all calls), BURST at once (repeatable)")
    serve.set_defaults(func=_serve)

    config = sub.add_parser("config", help="write an OCI config profile and key pair the emulator trusts")
    config.add_argument("--profile", default="DEFAULT")
    config.add_argument("--file", default=None, help="config file (default ~/.oci-genai-emulator/config)")
    config.add_argument("--region", default=None, help="region of the profile (default: the profile's, else us-chicago-1)")
    config.add_argument("--regenerate", action="store_true", help="make a new tenancy, user and key for an existing profile (its resources are then out of sight)")
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
