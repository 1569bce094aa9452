"""Encryption at rest for provider tokens.

cryptography's MultiFernet does the work: the first key encrypts, every key decrypts, so
keys rotate by putting a new key first (`TRAINLYTICS_ENCRYPTION_KEYS`, newest first),
re-encrypting stored tokens with `rotate`, then dropping the old key.
"""

from __future__ import annotations

from collections.abc import Sequence

from cryptography.fernet import Fernet, InvalidToken, MultiFernet


class CryptoError(ValueError):
    """A key or a stored token cannot be used; the message says which and why."""


class TokenCipher:
    def __init__(self, fernet: MultiFernet) -> None:
        self._fernet = fernet

    @classmethod
    def from_keys(cls, keys: Sequence[str]) -> TokenCipher:
        """Build from url-safe base64 Fernet keys, newest first."""
        cleaned = [k.strip() for k in keys if k.strip()]
        if not cleaned:
            raise CryptoError("no encryption key configured (TRAINLYTICS_ENCRYPTION_KEYS)")
        fernets = []
        for position, key in enumerate(cleaned, start=1):
            try:
                fernets.append(Fernet(key.encode("ascii")))
            except (ValueError, UnicodeEncodeError) as exc:
                raise CryptoError(
                    f"encryption key #{position} is not a Fernet key "
                    "(32 url-safe base64-encoded bytes; make one with generate_key())"
                ) from exc
        return cls(MultiFernet(fernets))

    @classmethod
    def from_setting(cls, value: str) -> TokenCipher:
        """Build from the comma-separated `TRAINLYTICS_ENCRYPTION_KEYS` value."""
        return cls.from_keys(value.split(","))

    @staticmethod
    def generate_key() -> str:
        return Fernet.generate_key().decode("ascii")

    def encrypt(self, plaintext: str) -> str:
        return self._fernet.encrypt(plaintext.encode("utf-8")).decode("ascii")

    def decrypt(self, token: str) -> str:
        try:
            return self._fernet.decrypt(token.encode("ascii")).decode("utf-8")
        except (InvalidToken, UnicodeEncodeError) as exc:
            raise CryptoError(
                "stored token cannot be decrypted with any configured key "
                "(was its key removed from TRAINLYTICS_ENCRYPTION_KEYS?)"
            ) from exc

    def rotate(self, token: str) -> str:
        """Re-encrypt a stored token under the newest key."""
        try:
            return self._fernet.rotate(token.encode("ascii")).decode("ascii")
        except (InvalidToken, UnicodeEncodeError) as exc:
            raise CryptoError(
                "stored token cannot be rotated: no configured key decrypts it"
            ) from exc
