"""The outbox: notification rows written by core and their delivery to chat platforms."""
