"""Alembic migrations; `trainlytics migrate` applies them on SQLite or PostgreSQL."""
