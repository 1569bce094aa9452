"""authlib's async OAuth2 client, imported here once for every connector.

authlib 1.9 warns, on import of its httpx integration, that the integration is
deprecated in favour of a separate package; we use it on purpose (docs/providers.md), and
whoever runs a command, a worker or a benchmark should not read library housekeeping.
authlib installs an "always" filter for its warnings when `authlib.deprecate` is
imported, so that import comes first and the notice is silenced only around this one
import, leaving the process's warning filters as they were.
"""

from __future__ import annotations

import warnings

import authlib.deprecate  # noqa: F401

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message="The httpx module is deprecated")
    from authlib.integrations.httpx_client import AsyncOAuth2Client

__all__ = ["AsyncOAuth2Client"]
