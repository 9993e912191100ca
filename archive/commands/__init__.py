"""The ``regarchive`` subcommands, one module each; :mod:`archive.cli` gathers them."""
