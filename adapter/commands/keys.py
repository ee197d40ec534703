"""``dimona-adapter keys create``: a key pair and self-signed certificate for the OAuth client.

ONSS accepts a self-signed certificate in the company's name, uploaded in Chaman; for the
sandbox, ``--register`` uploads it to the sandbox's admin API instead.

Exit codes: 0 written; 2 a key or certificate file (or a link) is already there and
``--force`` was not given (wrong usage: nothing is written); 3 another configuration error.
A symbolic link at either name is never followed: with ``--force`` the link itself is replaced.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from adapter.edges.dimona_rest.errors import KeyFilesExist
from adapter.edges.dimona_rest.keys import CERTIFICATE_MODE, PRIVATE_KEY_MODE, create_key_pair

EXIT_FILES_EXIST = 2


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    keys = subparsers.add_parser("keys", help="create the client key pair and certificate")
    actions = keys.add_subparsers(dest="keys_command", metavar="ACTION", required=True)
    create = actions.add_parser(
        "create",
        help="make an RSA key (0600) and a self-signed certificate (0644); optionally "
        "register the client with a sandbox",
        description="Exit 0 written, 2 a file is already there (nothing written without "
        "--force), 3 configuration error.",
    )
    create.add_argument("--client-id", required=True, help="the OAuth client id (JWT iss/sub)")
    create.add_argument("--dir", type=Path, default=Path("keys"), help="output directory")
    create.add_argument("--common-name", help="certificate subject CN (default: client id)")
    create.add_argument(
        "--force",
        action="store_true",
        help="replace an existing key and certificate (a symbolic link is replaced, not followed)",
    )
    create.add_argument(
        "--register",
        metavar="SANDBOX_URL",
        help="register the certificate with the sandbox at this root URL",
    )
    create.add_argument(
        "--employer",
        action="append",
        default=None,
        help="restrict the sandbox client to this employer (repeatable; default: any)",
    )
    create.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    try:
        paths = create_key_pair(
            args.dir, args.client_id, common_name=args.common_name, overwrite=args.force
        )
    except KeyFilesExist as exc:
        print(f"dimona-adapter keys create: {exc}; pass --force to replace them", file=sys.stderr)
        return EXIT_FILES_EXIST
    print(f"private key: {paths.private_key} (mode {PRIVATE_KEY_MODE:04o})")
    print(f"certificate: {paths.certificate} (mode {CERTIFICATE_MODE:04o})")
    if args.register:
        from adapter.sandbox.admin_client import register_client

        register_client(
            f"{args.register.rstrip('/')}/admin",
            args.client_id,
            paths.certificate.read_text(encoding="ascii"),
            employers=args.employer,
        )
        print(f"registered {args.client_id} with the sandbox at {args.register}")
    print(
        "configure: DIMONA_ADAPTER_DIMONA__CLIENT_ID, DIMONA_ADAPTER_DIMONA__PRIVATE_KEY_PATH, "
        "DIMONA_ADAPTER_DIMONA__CERTIFICATE_PATH"
    )
    return 0
