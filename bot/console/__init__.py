"""The conversation in a terminal: `trainlytics chat`."""
