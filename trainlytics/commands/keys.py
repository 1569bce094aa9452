"""`trainlytics generate-key` and `trainlytics rotate-keys`: encryption keys for stored tokens."""

from __future__ import annotations

import argparse
import asyncio

from core.crypto import CryptoError, TokenCipher
from core.settings import SettingsError, load_settings
from core.sync.key_rotation import rotate_all_tokens
from trainlytics.container import build_container


def register(sub: argparse._SubParsersAction) -> None:
    generate = sub.add_parser("generate-key", help="print a new encryption key")
    generate.set_defaults(func=generate_key)
    rotate = sub.add_parser(
        "rotate-keys",
        help="re-encrypt every stored provider token under the newest key",
        description="Put a new key first in TRAINLYTICS_ENCRYPTION_KEYS (comma-separated, "
        "newest first), run this, then remove the old key.",
    )
    rotate.set_defaults(func=rotate_keys)


def generate_key(_args: argparse.Namespace) -> int:
    print(TokenCipher.generate_key())
    return 0


def rotate_keys(_args: argparse.Namespace) -> int:
    try:
        container = build_container(load_settings(), doors=False)
    except (SettingsError, CryptoError) as exc:
        print(f"trainlytics rotate-keys: {exc}")
        return 2

    async def rotate() -> int:
        try:
            async with container.db.unit_of_work() as session:
                return await rotate_all_tokens(session, container.cipher)
        finally:
            await container.aclose()

    try:
        count = asyncio.run(rotate())
    except CryptoError as exc:
        print(f"trainlytics rotate-keys: {exc}; nothing was changed.")
        return 1
    print(f"Re-encrypted the tokens of {count} connected account(s) under the newest key.")
    return 0
