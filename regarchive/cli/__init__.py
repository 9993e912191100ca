"""The ``regarchive`` command line: a thin shell over the crawler, the extractor and the archive."""

from regarchive.cli.app import cli, main

__all__ = ["cli", "main"]
