"""``python -m regarchive``: the same as the ``regarchive`` command."""

from regarchive.cli import main

if __name__ == "__main__":
    main()
