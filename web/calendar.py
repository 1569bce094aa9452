"""The read-only calendar behind a private link: an HTML month/week page and an ICS feed.

Every way a link can be wrong (unknown, revoked, malformed, or asking for an athlete the
owner may not see) gets exactly the 404 of a page that does not exist.

Calendar apps poll the feed every few minutes, so the feed answers conditional requests:
its ETag is a digest of the (byte-stable) feed, its Last-Modified the latest of the
events' revisions and the start of the athlete's day (the feed's window moves at local
midnight). An unchanged feed answers 304 with no body; the app's GZipMiddleware
compresses the rest. Both routes answer HEAD.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime, time, timedelta
from email.utils import format_datetime, parsedate_to_datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse, Response
from fastapi.templating import Jinja2Templates
from sqlalchemy.ext.asyncio import AsyncSession

from core.calendar import links as calendar_service
from core.calendar.ics import build_feed, revision_of
from core.calendar.links import FeedContent
from core.db.models import User
from core.errors import InvalidInput
from core.services import Services
from core.timeutil import local_date
from web.deps import ServicesDep

router = APIRouter()

_HERE = Path(__file__).parent
_STYLESHEET = _HERE / "static" / "calendar.css"
_FAVICON = _HERE / "static" / "favicon.svg"
# Cache-busting version: the stylesheet can be cached for a year and still update on deploy.
_STYLE_VERSION = hashlib.sha256(_STYLESHEET.read_bytes()).hexdigest()[:10]
templates = Jinja2Templates(directory=_HERE / "templates")


def stylesheet_url() -> str:
    """The site stylesheet's URL, versioned so browsers refetch it after a deploy."""
    return f"/static/calendar.css?v={_STYLE_VERSION}"


def _not_found() -> HTTPException:
    # Same status and body as FastAPI's answer for a route that does not exist.
    return HTTPException(status_code=404, detail="Not Found")


async def _owner_and_athlete(
    session: AsyncSession, container: Services, token: str, athlete_param: str | None
) -> tuple[User, list[User], User | None]:
    owner = await calendar_service.resolve_token(session, container.clock, token)
    if owner is None:
        raise _not_found()
    people = await calendar_service.viewable_athletes(session, owner)
    if athlete_param is None:
        return owner, people, people[0] if people else None
    chosen = next((p for p in people if str(p.id) == athlete_param), None)
    if chosen is None:
        raise _not_found()
    return owner, people, chosen


@router.get("/static/calendar.css", include_in_schema=False)
async def stylesheet() -> FileResponse:
    return FileResponse(
        _STYLESHEET,
        media_type="text/css",
        headers={"Cache-Control": "public, max-age=31536000, immutable"},
    )


@router.get("/static/favicon.svg", include_in_schema=False)
async def favicon() -> FileResponse:
    return FileResponse(
        _FAVICON, media_type="image/svg+xml", headers={"Cache-Control": "public, max-age=86400"}
    )


# Registered before the page route: "/calendar/{token}" would also match "abc.ics".
@router.api_route("/calendar/{token}.ics", methods=["GET", "HEAD"], include_in_schema=False)
async def feed(token: str, request: Request, container: ServicesDep) -> Response:
    athlete_param = request.query_params.get("athlete")
    async with container.db.unit_of_work() as session:
        owner, _people, athlete = await _owner_and_athlete(session, container, token, athlete_param)
        if athlete is None:
            raise _not_found()
        content = await calendar_service.feed_content(
            session, container.clock, owner.id, athlete.id
        )
        page_url = _page_url(container, request, token, athlete_param)
        body = build_feed(content, calendar_url=page_url)
        last_modified = _last_modified(content, container.clock.now())
    # Weak: the same feed gzipped is byte-different, and weak comparison is all
    # If-None-Match uses.
    headers = {
        "ETag": f'W/"{hashlib.sha256(body).hexdigest()[:32]}"',
        "Last-Modified": format_datetime(last_modified, usegmt=True),
        "Cache-Control": "private, max-age=300",
    }
    if _not_modified(request, headers["ETag"], last_modified):
        return Response(status_code=304, headers=headers)
    headers["Content-Disposition"] = 'inline; filename="trainlytics.ics"'
    return Response(body, media_type="text/calendar; charset=utf-8", headers=headers)


def _last_modified(content: FeedContent, now: datetime) -> datetime:
    """When the feed last changed: an event's revision, or the athlete's local midnight."""
    zone = ZoneInfo(content.athlete.timezone)
    midnight = datetime.combine(now.astimezone(zone).date(), time(), zone).astimezone(UTC)
    revisions = [revision_of(item) for item in (*content.workouts, *content.activities)]
    return max([midnight, *revisions]).replace(microsecond=0)


def _not_modified(request: Request, etag: str, last_modified: datetime) -> bool:
    """RFC 9110 §13.2.2: If-None-Match decides when present, else If-Modified-Since.

    Hand-written because Starlette keeps this logic inside StaticFiles, for files only.
    """
    if_none_match = request.headers.get("if-none-match")
    if if_none_match is not None:
        given = [tag.strip().removeprefix("W/") for tag in if_none_match.split(",")]
        return "*" in given or etag.removeprefix("W/") in given
    if_modified_since = request.headers.get("if-modified-since")
    if not if_modified_since:
        return False
    try:
        since = parsedate_to_datetime(if_modified_since)
    except (TypeError, ValueError):
        return False  # an unreadable date is ignored, as the RFC says
    if since.tzinfo is None:
        since = since.replace(tzinfo=UTC)
    return since >= last_modified


@router.api_route(
    "/calendar/{token}",
    methods=["GET", "HEAD"],
    include_in_schema=False,
    response_class=HTMLResponse,
)
async def page(token: str, request: Request, container: ServicesDep) -> Response:
    params = request.query_params
    athlete_param = params.get("athlete")
    async with container.db.unit_of_work() as session:
        owner, people, athlete = await _owner_and_athlete(session, container, token, athlete_param)
        month_calendar = None
        selected_week = None
        error = None
        if athlete is not None:
            today = local_date(container.clock.now(), athlete.timezone)
            try:
                month = calendar_service.parse_month(params.get("month"), today)
                week_day = _parse_day(params.get("week"))
            except InvalidInput as exc:
                error = exc.text(owner.locale)
                month, week_day = today.replace(day=1), None
            month_calendar = await calendar_service.month_calendar(
                session, container.clock, owner.id, athlete.id, month
            )
            selected_week = (
                (week_day and month_calendar.week_of(week_day))
                or month_calendar.week_of(today)
                or month_calendar.week_of(month)
            )
    query_athlete = f"&athlete={athlete.id}" if athlete is not None and len(people) > 1 else ""
    response = templates.TemplateResponse(
        request,
        "calendar.html",
        {
            "owner": owner,
            "people": people,
            "athlete": athlete,
            "cal": month_calendar,
            "week": selected_week,
            "error": error,
            "query_athlete": query_athlete,
            "token": token,
            "feed_href": _feed_href(container, token, athlete, people),
            "stylesheet": stylesheet_url(),
        },
        status_code=400 if error else 200,
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _parse_day(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise InvalidInput("refuse_week_given_by_day") from exc


def _page_url(container: Services, request: Request, token: str, athlete: str | None) -> str:
    base = container.settings.public_url or str(request.base_url)
    url = calendar_service.calendar_url(base, token)
    return f"{url}?athlete={athlete}" if athlete else url


def _feed_href(container: Services, token: str, athlete: User | None, people: list[User]) -> str:
    suffix = f"?athlete={athlete.id}" if athlete is not None and len(people) > 1 else ""
    public = container.settings.public_url
    if public:
        # webcal:// makes phones and desktop clients offer "subscribe" instead of a download.
        https_url = calendar_service.feed_url(public, token)
        return https_url.replace("https://", "webcal://", 1).replace("http://", "webcal://", 1) + (
            suffix
        )
    return f"{token}.ics{suffix}"


def week_label(monday: date) -> str:
    sunday = monday + timedelta(days=6)
    if monday.month == sunday.month:
        return f"{monday.day}–{sunday.day} {sunday:%B}"
    return f"{monday.day} {monday:%b} – {sunday.day} {sunday:%b}"


templates.env.filters["week_label"] = week_label
