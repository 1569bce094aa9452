"""Liveness: the process answers. Readiness (database and broker) lives in web/ready.py."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()


@router.get("/health", include_in_schema=False)
async def health() -> dict[str, str]:
    return {"status": "ok"}
