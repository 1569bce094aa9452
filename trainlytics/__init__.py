"""Trainlytics composition root and command line."""
