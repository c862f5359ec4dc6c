"""Command line: ``oci-genai-emulator serve | config``."""

from __future__ import annotations

import argparse
import logging
import sys

from . import __version__
from .settings import AUTH_MODES, Settings


def _serve(args: argparse.Namespace) -> int:
    settings = Settings.from_env(
        host=args.host,
        port=args.port,
        data_dir=args.data_dir,
        auth=args.auth,
        workers=args.workers,
        region=args.region,
        trusted_keys=args.trust_key or None,
    )
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if settings.workers > 1 and not settings.data_dir:
        print("--workers > 1 needs --data-dir: workers share state through one SQLite file.", file=sys.stderr)
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
    serve.add_argument("--region", default=None, help="region named in OCIDs (default us-chicago-1)")
    serve.add_argument("--trust-key", action="append", help="PEM key to trust in strict mode (repeatable)")
    serve.set_defaults(func=_serve)

    config = sub.add_parser("config", help="write an OCI config profile and key pair the emulator trusts")
    config.add_argument("--profile", default="DEFAULT")
    config.add_argument("--file", default=None, help="config file (default ~/.oci-genai-emulator/config)")
    config.add_argument("--region", default="us-chicago-1")
    config.add_argument("--port", type=int, default=8080, help="port shown in the printed examples")
    config.set_defaults(func=_config)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
