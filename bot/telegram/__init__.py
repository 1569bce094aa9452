"""The Telegram door: aiogram 3 bot, dispatcher, webhook route, polling runner, outbox sender.

`bot.telegram.bot.TelegramDoor` owns the aiogram `Bot` and `Dispatcher` built from the
settings; `bot.telegram.runner.run_bot` starts it (polling or webhook registration);
`bot.telegram.webhook.router` is the FastAPI route Telegram posts updates to;
`bot.telegram.sender.TelegramSender` delivers outbox rows. See docs/telegram.md.
"""
