"""The web door: FastAPI app factory, OAuth callbacks, calendar, health."""
