"""Chat doors: the platform-neutral conversation and its Telegram, Slack and console faces."""
