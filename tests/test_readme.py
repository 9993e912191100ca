"""The README's quickstart stays true: CI runs its test line, and its commands exist."""

from __future__ import annotations

import re
from pathlib import Path

from tests.support import invoke

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def quickstart_lines() -> list[str]:
    return re.findall(r"```sh\n(python3 -m venv[^\n]*)\n```", README)


def test_quickstart_has_exactly_an_install_and_demo_line_and_a_test_line() -> None:
    lines = quickstart_lines()
    assert len(lines) == 2
    assert lines[0].endswith("regarchive demo")
    assert "pytest" in lines[1]


def test_ci_runs_the_readme_test_command() -> None:
    test_line = quickstart_lines()[1]
    command = test_line.split("pip install -U pip && ", 1)[1]
    assert command in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def test_every_command_in_the_readme_exists() -> None:
    documented = set(re.findall(r"^regarchive ([\w-]+)", README, flags=re.M))
    assert documented
    for name in documented:
        result = invoke(name, "--help")
        assert result.exit_code == 0, (name, result.output)


def test_the_readme_lists_the_settings_of_the_table() -> None:
    """The README's settings list is generated from scraper/setting_table.py (``cog -r
    README.md``); this fails when the table changed and the README was not regenerated."""
    from cogapp import Cog

    status = Cog().main(["cog", "--check", str(ROOT / "README.md")])
    assert status == 0, "README.md's list of settings is stale: run `cog -r README.md`"
    assert "| `REGARCHIVE_PROGRESS_INTERVAL` |" in README
