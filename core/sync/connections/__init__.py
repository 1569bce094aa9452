"""A provider connection, from the connect link to the disconnect; one module per step.

The connect flow binds the browser to the person who asked, because a link sent in chat
can be forwarded (docs/security.md, "Connecting a provider account"):

1. the bot sends a signed one-time link (`connect_links.connect_url`);
2. opening it (`connect_links.open_browser_session`) spends the link and starts a browser
   session: a random secret the web door keeps in an HttpOnly cookie, and a six-digit code
   derived from it that the page shows;
3. the person sends `/connect CODE` in their own chat (`connect_links.confirm_browser`):
   only the link's owner can confirm, and only someone who sees the page knows the code;
4. the confirmed browser gets a single-use OAuth `state` (hashed at rest, 10 minutes,
   PKCE verifier for Garmin) bound to its cookie (`oauth_flow.begin_confirmed_connect`);
5. the provider redirects back with that state and a code (`oauth_flow.complete_connect`):
   the callback must come from the same browser; the tokens are stored encrypted in
   `ConnectedAccount` and the backfill is queued. A provider account that another person
   already holds is never re-pointed: its owner is asked in their chat
   (`account_transfers`) and both people are told.

`stored_tokens` keeps the tokens fresh (refreshed under a per-account lock), `disconnects`
ends a connection (revoke at the provider, forget the tokens), `account_status` holds the
states an account goes through (active, disconnecting, revoked) and what turns it off.

Nothing is re-exported here: import each name from the module that holds it.
"""
