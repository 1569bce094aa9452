"""Persistence: SQLAlchemy 2 models, engine and session factory, unit of work."""
