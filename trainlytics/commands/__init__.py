"""One module per `trainlytics` subcommand.

Each module exposes `register(subparsers)`, which adds its parser and sets
`func=<callable(args) -> int>` as the parser default. `trainlytics.cli` lists them.
"""
