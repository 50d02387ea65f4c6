"""The command line, one module per command; the entry point is ``collector.cli.app.main``."""
