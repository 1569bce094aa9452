"""Provider sync: one connector per provider behind `core.sync.providers.base.Provider`."""

from core.sync.providers.base import (
    ActivityRef,
    AuthRevoked,
    FetchedActivity,
    MalformedWebhook,
    NotFound,
    Provider,
    ProviderConfig,
    ProviderError,
    ProviderUnavailable,
    RateLimited,
    TokenExpired,
    TokenSet,
    WebhookEvent,
    WebhookRejected,
)
from core.sync.providers.registry import build_providers, provider_config
from core.sync.tokens import call_with_fresh_token

__all__ = [
    "ActivityRef",
    "AuthRevoked",
    "FetchedActivity",
    "MalformedWebhook",
    "NotFound",
    "Provider",
    "ProviderConfig",
    "ProviderError",
    "ProviderUnavailable",
    "RateLimited",
    "TokenExpired",
    "TokenSet",
    "WebhookEvent",
    "WebhookRejected",
    "build_providers",
    "call_with_fresh_token",
    "provider_config",
]
