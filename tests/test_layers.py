"""The layers are a checked contract: ``lint-imports`` passes on the code as it is, and fails
when a lower layer imports a higher one."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

# Every test here starts a server or a process (see tests/conftest.py).
pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parent.parent


def lint_imports(root: Path) -> subprocess.CompletedProcess[str]:
    """Run import-linter on the package tree under ``root`` (with its pyproject.toml)."""
    return subprocess.run(
        [sys.executable, "-c", "import sys; from importlinter.cli import lint_imports_command;"
         " sys.exit(lint_imports_command())", "--no-cache"],
        cwd=root,
        env={"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=300,
    )  # fmt: skip


def copy_tree(target: Path) -> Path:
    """The package's sources and configuration under ``target``, the linked layers copied as
    real folders: a copy to break without touching the repository."""
    shutil.copytree(ROOT / "regarchive", target / "regarchive", symlinks=True)
    for name in ("scraper", "pipelines", "archive"):
        (target / "regarchive" / name).unlink()
        shutil.copytree(ROOT / name, target / "regarchive" / name)
    shutil.copy(ROOT / "pyproject.toml", target / "pyproject.toml")
    return target


def test_the_layers_hold(tmp_path: Path) -> None:
    result = lint_imports(copy_tree(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_an_upward_import_breaks_the_contract(tmp_path: Path) -> None:
    tree = copy_tree(tmp_path)
    module = tree / "regarchive" / "archive" / "errors.py"
    module.write_text(module.read_text() + "\nfrom regarchive.scraper import runner  # noqa\n")
    result = lint_imports(tree)
    assert result.returncode != 0
    assert "regarchive.archive.errors -> regarchive.scraper.runner" in result.stdout


def test_sqlite_outside_the_archive_breaks_the_contract(tmp_path: Path) -> None:
    tree = copy_tree(tmp_path)
    module = tree / "regarchive" / "pipelines" / "extraction" / "labels.py"
    module.write_text(module.read_text() + "\nimport sqlite3  # noqa\n")
    result = lint_imports(tree)
    assert result.returncode != 0
    assert "regarchive.pipelines.extraction.labels -> sqlite3" in result.stdout
