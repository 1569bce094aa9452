"""Scheduled messages: when they fire for each person, and what they say."""
