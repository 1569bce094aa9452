from __future__ import annotations

import pytest

from core.crypto import CryptoError, TokenCipher


def test_round_trip_hides_the_plaintext():
    cipher = TokenCipher.from_keys([TokenCipher.generate_key()])
    stored = cipher.encrypt("strava-refresh-token")
    assert "strava-refresh-token" not in stored
    assert cipher.decrypt(stored) == "strava-refresh-token"


def test_rotation_re_encrypts_under_the_newest_key_and_old_tokens_still_read():
    old_key, new_key = TokenCipher.generate_key(), TokenCipher.generate_key()
    before = TokenCipher.from_keys([old_key])
    stored = before.encrypt("secret")
    after = TokenCipher.from_setting(f"{new_key},{old_key}")
    assert after.decrypt(stored) == "secret"
    rotated = after.rotate(stored)
    assert TokenCipher.from_keys([new_key]).decrypt(rotated) == "secret"
    with pytest.raises(CryptoError):
        before.decrypt(rotated)


def test_a_token_from_an_unknown_key_gives_a_clear_error():
    stored = TokenCipher.from_keys([TokenCipher.generate_key()]).encrypt("secret")
    other = TokenCipher.from_keys([TokenCipher.generate_key()])
    with pytest.raises(CryptoError, match="cannot be decrypted"):
        other.decrypt(stored)
    with pytest.raises(CryptoError):
        other.rotate(stored)


@pytest.mark.parametrize("keys", [[], ["", " "], ["not-a-fernet-key"]])
def test_malformed_or_missing_keys_are_refused(keys):
    with pytest.raises(CryptoError):
        TokenCipher.from_keys(keys)
