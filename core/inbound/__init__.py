"""Inbound chat updates: each one claimed once, whichever door it came through."""
