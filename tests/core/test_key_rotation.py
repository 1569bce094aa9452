import pytest
from sqlalchemy import select

from core.crypto import CryptoError, TokenCipher
from core.db.models import ConnectedAccount
from core.sync.key_rotation import rotate_all_tokens
from tests.factories import person


async def test_rotation_re_encrypts_every_token_so_the_old_key_can_be_dropped(db):
    old, new = TokenCipher.generate_key(), TokenCipher.generate_key()
    before = TokenCipher.from_keys([old])
    async with db.unit_of_work() as s:
        user = await person(s, "Ana")
        s.add(
            ConnectedAccount(
                user_id=user.id,
                provider="strava",
                provider_user_id="1",
                access_token_enc=before.encrypt("access"),
                refresh_token_enc=before.encrypt("refresh"),
            )
        )
    async with db.unit_of_work() as s:
        assert await rotate_all_tokens(s, TokenCipher.from_keys([new, old])) == 1
    only_new = TokenCipher.from_keys([new])
    async with db.unit_of_work() as s:
        account = await s.scalar(select(ConnectedAccount))
        assert only_new.decrypt(account.access_token_enc) == "access"
        assert only_new.decrypt(account.refresh_token_enc) == "refresh"


async def test_a_token_no_key_can_read_stops_the_rotation_and_changes_nothing(db):
    stranger = TokenCipher.from_keys([TokenCipher.generate_key()])
    async with db.unit_of_work() as s:
        user = await person(s, "Ana")
        s.add(
            ConnectedAccount(
                user_id=user.id,
                provider="strava",
                provider_user_id="1",
                access_token_enc=stranger.encrypt("access"),
            )
        )
    with pytest.raises(CryptoError):
        async with db.unit_of_work() as s:
            await rotate_all_tokens(s, TokenCipher.from_keys([TokenCipher.generate_key()]))
    async with db.unit_of_work() as s:
        account = await s.scalar(select(ConnectedAccount))
        assert stranger.decrypt(account.access_token_enc) == "access"
