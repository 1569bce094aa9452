"""Ids a webhook carries reach provider URLs only when they have a provider id's shape."""

from __future__ import annotations

import pytest

from core.sync.providers.base import MalformedWebhook, provider_id


@pytest.mark.parametrize("value", ["12345678", 987654321, "-8le89XG", "_gblR5E9", "a1:b2.c3"])
def test_provider_shaped_ids_are_accepted(value: object) -> None:
    # Polar's hashed ids are URL-safe base64: they may start with - or _.
    assert provider_id(value, "id") == str(value)


@pytest.mark.parametrize(
    "value", ["../users/1", "a/b", "x?token=1", "1..2", "", " 1", "é", True, None, 1.5]
)
def test_anything_else_is_a_malformed_webhook(value: object) -> None:
    with pytest.raises(MalformedWebhook):
        provider_id(value, "id")
