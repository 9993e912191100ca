"""The ``regarchive`` subcommands, one module each; :mod:`regarchive.cli` gathers them."""
