"""Every example command of the README works on the demo's archive and shows something.

The README is read as a newcomer reads it: the quickstart's ``regarchive demo`` in an empty
folder, then each line of its ``sh`` blocks in order, in that folder, with the sample site kept
up by ``regarchive demo --serve`` as the README says. The sample site's fixed port (8377) is
swapped for a free one, so that tests running side by side do not meet.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support import wait_for
from tests.test_demo_cli import free_port

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
DEMO_ADDRESS = "127.0.0.1:8377"


def example_lines() -> list[str]:
    """The commands of the README's ``sh`` blocks, in order, the quickstart's set-up aside."""
    lines = []
    for block in re.findall(r"```sh\n(.*?)```", README, flags=re.S):
        for line in block.splitlines():
            if line.strip() and not line.startswith("python3 -m venv"):
                lines.append(line)
    return lines


def test_the_readme_has_examples_of_every_kind() -> None:
    programs = {shlex.split(line)[0] + " " + shlex.split(line)[1] for line in example_lines()}
    for expected in (
        "regarchive crawl",
        "regarchive search",
        "regarchive list",
        "regarchive show",
        "regarchive stats",
        "regarchive export",
        "regarchive status",
        "regarchive history",
        "regarchive extract",
        "regarchive datasette-metadata",
    ):
        assert expected in programs
    assert any(line.startswith("sqlite-utils ") for line in example_lines())
    assert any(line.startswith("datasette ") for line in example_lines())


@pytest.fixture(scope="module")
def newcomer(tmp_path_factory: pytest.TempPathFactory):
    """A folder where the quickstart's demo ran, and the sample site kept up beside it."""
    folder = tmp_path_factory.mktemp("newcomer")
    port = free_port()
    env = {
        **os.environ,
        "REGARCHIVE_DEMO_PORT": str(port),
        # The console scripts of this environment (regarchive, sqlite-utils, datasette).
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
    }
    env.pop("REGARCHIVE_DB", None)
    demo = subprocess.run(
        ["regarchive", "demo"], cwd=folder, env=env, capture_output=True, text=True, timeout=300
    )
    assert demo.returncode == 0, demo.stderr
    serving = subprocess.Popen(
        ["regarchive", "demo", "--serve", "--db", "served.db"],
        cwd=folder,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        wait_for(lambda: "until you press Ctrl-C" in (serving.stdout.readline() or ""), 120)
        yield folder, env, port
    finally:
        serving.terminate()
        serving.wait(timeout=30)


@pytest.mark.e2e
@pytest.mark.parametrize("line", example_lines())
def test_a_readme_example_works_on_the_demo_archive(newcomer, line: str) -> None:
    folder, env, port = newcomer
    command = line.replace(DEMO_ADDRESS, f"127.0.0.1:{port}")
    before = {path.name: path.stat().st_mtime for path in folder.iterdir()}
    result = subprocess.run(
        ["bash", "-c", command],
        cwd=folder,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, (line, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    assert not re.search(r"No item matches|no \w+ '.*' in ", result.stdout + result.stderr), line
    written = [
        name
        for name, path in ((p.name, p) for p in folder.iterdir())
        if before.get(name) != path.stat().st_mtime
    ]
    shown = result.stdout.strip() not in ("", "[]", "{}")
    assert shown or written, f"{line!r} showed nothing and wrote nothing"
