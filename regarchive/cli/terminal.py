"""What the reading commands print is shown, never obeyed, by the terminal.

Titles, texts and rubric names come from web pages. Extraction strips control characters, but
an archive written before it did, or a value that came another way, may still hold some: printed
raw, ``ESC ] 0 ; … BEL`` retitles the user's window, ``ESC [ 2 J`` clears the screen and
``ESC [ 8 m`` hides what follows. Every such character is printed as a visible escape instead.
"""

from __future__ import annotations

import re

# C0 and C1 control characters and DEL.
_CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f]")


def printable(text: str, *, keep: str = "") -> str:
    """``text`` with each control character but those in ``keep`` written as ``\\xNN``."""
    return _CONTROLS.sub(lambda m: m.group() if m.group() in keep else _escape(m.group()), text)


def _escape(char: str) -> str:
    return f"\\x{ord(char):02x}"


def printable_json(text: str) -> str:
    """JSON text whose C1 control characters (which ``json.dumps(ensure_ascii=False)`` leaves
    raw, unlike C0 ones) are written ``\\u0080``…: the same JSON value, safe on a terminal."""
    return re.sub("[\x7f-\x9f]", lambda m: f"\\u{ord(m.group()):04x}", text)
