"""`trainlytics strava-subscribe`: create, list or delete Strava's push subscription."""

from __future__ import annotations

import argparse
import asyncio
import json

import httpx

from core.settings import Settings, load_settings
from core.sync.providers.base import ProviderError
from core.sync.providers.registry import provider_config
from core.sync.providers.strava import StravaProvider


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "strava-subscribe",
        help="create (default), list or delete the Strava push subscription",
        description="Creates the subscription for {TRAINLYTICS_PUBLIC_URL}/webhooks/strava "
        "(the app must be running: Strava checks the URL at once). Put the printed id in "
        "TRAINLYTICS_STRAVA_SUBSCRIPTION_ID.",
    )
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--list", action="store_true", help="show the current subscription")
    group.add_argument("--delete", metavar="ID", help="delete the subscription with this id")
    parser.set_defaults(func=strava_subscribe)


def strava_subscribe(args: argparse.Namespace) -> int:
    settings = load_settings()
    config = provider_config(settings, "strava")
    if not config.enabled:
        print(
            "trainlytics strava-subscribe: set TRAINLYTICS_STRAVA_CLIENT_ID and "
            "TRAINLYTICS_STRAVA_CLIENT_SECRET first."
        )
        return 2
    try:
        return asyncio.run(_run(args, settings))
    except ProviderError as exc:
        print(f"trainlytics strava-subscribe: Strava refused: {exc}")
        return 1


async def _run(args: argparse.Namespace, settings: Settings) -> int:
    async with httpx.AsyncClient(timeout=30) as http:
        strava = StravaProvider(provider_config(settings, "strava"), http)
        if args.list:
            subscriptions = await strava.list_subscriptions()
            print(json.dumps(subscriptions, indent=2) if subscriptions else "No subscription.")
            return 0
        if args.delete:
            await strava.delete_subscription(args.delete)
            print(f"Deleted subscription {args.delete}.")
            return 0
        if not settings.public_url:
            print(
                "trainlytics strava-subscribe: set TRAINLYTICS_PUBLIC_URL (Strava calls "
                "{PUBLIC_URL}/webhooks/strava)."
            )
            return 2
        created = await strava.create_subscription(
            f"{settings.public_url.rstrip('/')}/webhooks/strava"
        )
        print(
            f"Created subscription {created['id']}. "
            f"Set TRAINLYTICS_STRAVA_SUBSCRIPTION_ID={created['id']}."
        )
        return 0
