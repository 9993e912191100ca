"""Standard output that cannot be written: closed by whoever started us, or on a full disk.

A command whose output goes nowhere must say so in one line (exit code 1), not end in a
traceback, nor succeed silently: a script that ran ``regarchive export > items.jsonl`` on a
full disk would otherwise believe it has its items.
"""

from __future__ import annotations

import errno
import io
import os
import sys


class StandardOutputError(OSError):
    """A write to standard output failed (its ``strerror`` says why)."""


class _ClosedOutput(io.TextIOBase):
    """Stands for a standard output closed at start-up. Python then sets ``sys.stdout`` to
    None, and click would drop every line without a word: writing to this fails instead."""

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        raise StandardOutputError(errno.EBADF, "it is closed")

    def isatty(self) -> bool:
        return False


class _WatchedOutput(io.TextIOWrapper):
    """Standard output whose write errors are told apart from every other ``OSError``."""

    def write(self, text: str) -> int:
        try:
            return super().write(text)
        except OSError as error:
            raise _standard_output_error(error) from error

    def flush(self) -> None:
        try:
            super().flush()
        except OSError as error:
            raise _standard_output_error(error) from error


def _standard_output_error(error: OSError) -> OSError:
    if isinstance(error, StandardOutputError):
        return error
    reason = "no space left on the device" if error.errno == errno.ENOSPC else error.strerror
    return StandardOutputError(error.errno, reason or str(error))


def watch_standard_output() -> None:
    """Make writes to standard output raise :class:`StandardOutputError` when they fail,
    a closed standard output included."""
    stdout = sys.stdout
    if stdout is None:
        sys.stdout = _ClosedOutput()
    elif type(stdout) is io.TextIOWrapper:
        stdout.flush()
        sys.stdout = _WatchedOutput(
            stdout.buffer,
            encoding=stdout.encoding,
            errors=stdout.errors,
            line_buffering=stdout.line_buffering,
            write_through=stdout.write_through,
        )


def silence_standard_output() -> None:
    """Point standard output at /dev/null, so that what is still buffered in it goes nowhere
    instead of failing once more when the interpreter exits."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, io.UnsupportedOperation):
        pass
