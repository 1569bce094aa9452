"""Liveness: the process answers. Readiness (database and broker) lives in web/ready.py."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()


@router.api_route("/health", methods=["GET", "HEAD"], include_in_schema=False)
async def health() -> dict[str, str]:
    return {"status": "ok"}
