"""How reading commands choose and write their output: one vocabulary for all of them.

Every command that prints data takes ``-f/--format FORMAT`` and ``-o/--output FILE``; the short
forms it had before (``--json``, ``--csv``, ``--table``) stay as aliases of ``--format``. A file
given with ``-o`` is written whole or not at all, and never over the archive.
"""

from __future__ import annotations

import functools
import shutil
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

import click
from tabulate import tabulate

from regarchive.archive.outputs import OutputError, atomic_file, check_not_archive
from regarchive.cli.commands.common import ConfigError
from regarchive.cli.terminal import printable, printable_json

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class Output:
    """The chosen format and destination (None: standard output)."""

    format: str
    path: str | None

    @property
    def to_file(self) -> bool:
        return self.path not in (None, "-")

    @property
    def styled(self) -> bool:
        """Colours and clipping only for a terminal, never in a file or a pipe."""
        return not self.to_file and sys.stdout.isatty()

    @property
    def width(self) -> int | None:
        """The terminal's width when writing to one, else None (lines are not clipped)."""
        return shutil.get_terminal_size().columns if self.styled else None


def format_options(
    formats: Sequence[str], *, default: str, aliases: Sequence[str] = (), what: str = "output"
) -> Callable[[F], F]:
    """``-f/--format`` (one of ``formats``), ``-o/--output FILE`` and ``--NAME`` aliases.

    The command receives ``output``, an :class:`Output`. Two different formats asked at once
    (``--json --format csv``) are a usage error.
    """

    def decorate(func: F) -> F:
        @functools.wraps(func)
        def gather(*args: Any, **kwargs: Any) -> Any:
            chosen = {name for name in aliases if kwargs.pop(f"alias_{name}")}
            given = kwargs.pop("fmt")
            if given is not None:
                chosen.add(given)
            if len(chosen) > 1:
                names = " and ".join(sorted(chosen))
                raise click.UsageError(f"choose one output format, not both {names}")
            fmt = chosen.pop() if chosen else default
            kwargs["output"] = Output(fmt, kwargs.pop("output_path"))
            return func(*args, **kwargs)

        options = [
            click.option(
                "-f",
                "--format",
                "fmt",
                type=click.Choice(formats),
                default=None,
                help=f"Output format [default: {default}].",
            ),
            click.option(
                "-o",
                "--output",
                "output_path",
                default=None,
                metavar="FILE",
                help=f"Write the {what} to FILE (whole or not at all) instead of standard output.",
            ),
            *[
                click.option(f"--{name}", f"alias_{name}", is_flag=True, help=f"--format {name}.")
                for name in aliases
            ],
        ]
        wrapped: Any = gather
        for option in reversed(options):
            wrapped = option(wrapped)
        return wrapped  # type: ignore[no-any-return]

    return decorate


@contextmanager
def destination(
    output: Output, db_path: str | None = None, *, binary: bool = False
) -> Iterator[Any]:
    """Standard output, or ``output.path`` written whole once the block succeeds (a text
    stream, or a bytes one when ``binary``)."""
    if not output.to_file:
        yield sys.stdout.buffer if binary else sys.stdout
        sys.stdout.flush()
        return
    assert output.path is not None
    try:
        if db_path is not None:
            check_not_archive(output.path, db_path)
        with atomic_file(output.path, binary=binary) as handle:
            yield handle
    except OutputError as error:
        raise ConfigError(str(error)) from error
    except OSError as error:
        raise click.ClickException(
            f"cannot write {output.path}: {error.strerror or error}"
        ) from error


def write_lines(output: Output, lines: Sequence[str], db_path: str | None = None) -> None:
    """Write ``lines``, each control character shown as a visible escape (see
    :mod:`regarchive.cli.terminal`): JSON keeps the same value, text keeps only tabs."""
    shown = printable_json if output.format == "json" else _printable_text
    with destination(output, db_path) as out:
        for line in lines:
            out.write(shown(line) + "\n")


def _printable_text(line: str) -> str:
    return printable(line, keep="\n\t")


def columns(header: Sequence[str], rows: Sequence[Sequence[Any]], align: str = "") -> list[str]:
    """Plain aligned columns, two spaces apart, no trailing spaces (terminal and cron mail).

    ``align`` has one letter per column, ``l`` or ``r`` (default: all left). None shows as
    an empty cell.
    """
    alignment = ["right" if letter == "r" else "left" for letter in align.ljust(len(header), "l")]
    table = tabulate(
        [list(header), *[["" if cell is None else cell for cell in row] for row in rows]],
        tablefmt="plain",
        disable_numparse=True,
        colalign=alignment,
    )
    return [line.rstrip() for line in table.splitlines()]


def counted(count: int, singular: str, plural: str | None = None) -> str:
    """``1 item``, ``2 items``, ``1 entry``/``3 entries`` when the plural is given."""
    return f"{count} {singular if count == 1 else plural or singular + 's'}"
