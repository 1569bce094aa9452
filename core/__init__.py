"""Trainlytics core: every rule of the product. Imports no door (bot, web, webhooks, workers)."""
