"""People: accounts, chat identities, linking two platforms, timezones."""
