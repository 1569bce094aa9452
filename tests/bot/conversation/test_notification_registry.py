"""Every notification kind has its renderer and its payload type."""

from __future__ import annotations

from typing import get_args

from bot.conversation.notifications import RENDERERS, reason_text
from core.enums import NotificationKind
from core.outbox.payloads import AttentionReason, NotificationPayload


def test_every_kind_has_a_renderer() -> None:
    assert set(RENDERERS) == set(NotificationKind)


def test_every_kind_has_exactly_one_payload_type() -> None:
    union = get_args(get_args(NotificationPayload)[0])
    kinds = [cls.model_fields["kind"].default for cls in union]
    assert sorted(kinds) == sorted(NotificationKind)


def test_reason_text_takes_the_typed_reason_or_the_plain_dict() -> None:
    plain = {"reason": "low_compliance", "compliance_pct": 40}
    assert reason_text("en", plain) == reason_text("en", AttentionReason.model_validate(plain))
