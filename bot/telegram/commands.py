"""The command menu Telegram shows next to the message box (`setMyCommands`).

English is the default menu; French speakers (Telegram's `language_code` "fr") get the
French one. A person whose role or language was set in the bot gets a menu of their own
(scope: their chat), in their chosen language, with the coach commands first for a coach;
Telegram prefers a chat's menu to the defaults. Only commands the conversation layer
handles are listed, so the menu cannot offer a command that answers "I don't know".
"""

from __future__ import annotations

from aiogram import Bot
from aiogram.types import BotCommand, BotCommandScopeChat

from bot.conversation.dispatcher import COMMANDS

# (command, English, French) in menu order; descriptions are Telegram's 1-256 characters.
MENU: tuple[tuple[str, str, str], ...] = (
    ("today", "Today's workouts and what you did", "Séances du jour et ce que vous avez fait"),
    ("week", "This week: compliance and load", "Cette semaine : respect du plan et charge"),
    ("plan", "The next 14 days", "Les 14 prochains jours"),
    ("log", "Record a session in plain words", "Noter une séance en quelques mots"),
    ("fitness", "Fitness, fatigue and form chart", "Graphique forme, fatigue, fraîcheur"),
    ("race", "Projected form on race day", "Forme prévue le jour de la course"),
    ("coach", "Join a coach or see yours", "Rejoindre un coach ou voir le vôtre"),
    ("settings", "Reminders, units, timezone, language", "Rappels, unités, fuseau, langue"),
    ("connect", "Connect Strava, Garmin, Polar or Coros", "Connecter Strava, Garmin, Polar, Coros"),
    ("calendar", "Your private calendar link", "Votre lien de calendrier privé"),
    ("help", "Everything I can do", "Tout ce que je sais faire"),
    ("start", "Set up again", "Reprendre la configuration"),
)


COACH_MENU: tuple[tuple[str, str, str], ...] = (
    ("roster", "Your athletes at a glance", "Vos athlètes en un coup d'œil"),
    ("athlete", "One athlete: week, form, flags", "Un athlète : semaine, forme, alertes"),
    ("invite", "An invitation code for a new athlete", "Un code d'invitation pour un athlète"),
    ("comment", "Comment on an athlete's latest session", "Commenter la dernière séance"),
    ("digest", "Who needs your attention today", "Qui demande votre attention"),
)


def menu(locale: str, *, coach: bool = False) -> list[BotCommand]:
    column = 2 if locale == "fr" else 1
    rows = (*COACH_MENU, *MENU) if coach else MENU
    return [
        BotCommand(command=row[0], description=row[column]) for row in rows if row[0] in COMMANDS
    ]


async def publish_chat_menu(bot: Bot, chat_id: int | str, *, coach: bool, locale: str) -> None:
    """This person's own menu: their language, and the coach commands if they coach."""
    await bot.set_my_commands(
        menu(locale, coach=coach), scope=BotCommandScopeChat(chat_id=int(chat_id))
    )


async def publish_menu(bot: Bot) -> None:
    """Set the default (English) menu and the French one; Telegram keeps them until changed."""
    await bot.set_my_commands(menu("en"))
    await bot.set_my_commands(menu("fr"), language_code="fr")
