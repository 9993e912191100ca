"""Bad user input gets one line, exit code 2 and no traceback, before anything is written.

Most cases run the CLI in-process (click's runner: the same command objects, no mock) since
they stop before any crawl; a few run it as a user would, in its own process, to see exactly
what reaches the terminal.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import Result

from regarchive.archive.store import Archive
from tests.support import invoke, regarchive

SITE = "http://127.0.0.1:9/-Regions-"  # never reached: every case fails before the crawl


def assert_one_line_error(result: Result, *expected: str) -> None:
    """Exit code 2, and the whole output is one ``Error: …`` line saying ``expected``."""
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1, result.output
    assert lines[0].startswith("Error: ")
    for text in expected:
        assert text in lines[0]


def assert_usage_error(result: Result, expected: str) -> None:
    """Exit code 2; click's usage hint, then one ``Error: …`` line saying ``expected``."""
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    last = result.output.strip().splitlines()[-1]
    assert last.startswith("Error: ") and expected in last


@pytest.mark.e2e
def test_unknown_options_and_commands_are_usage_errors() -> None:
    for args in (("crawl", "--frobnicate", SITE), ("crawl", SITE, "-x"), ("crawll", SITE)):
        result = regarchive(*args)
        assert result.returncode == 2
        assert "Traceback" not in result.stderr
        assert result.stderr.strip().splitlines()[-1].startswith("Error: No such")


@pytest.mark.parametrize(
    "url",
    [
        "http://[::1/-Regions-",
        "http://example.org:99999/-Regions-",
        "http://example.org:port/-Regions-",
        "http://exa mple.org/-Regions-",
        "http://",
        "https:///-Regions-",
    ],
)
def test_malformed_urls_are_refused(url: str, tmp_path: Path) -> None:
    assert_one_line_error(invoke("crawl", url, "--db", str(tmp_path / "a.db")), "URL")
    assert not (tmp_path / "a.db").exists()


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.org/x", "javascript:x"])
def test_non_http_schemes_are_refused(url: str, tmp_path: Path) -> None:
    assert_one_line_error(invoke("crawl", url, "--db", str(tmp_path / "a.db")), "not an http(s)")


@pytest.mark.e2e
def test_a_host_that_does_not_exist_is_refused(tmp_path: Path) -> None:
    result = regarchive(
        "crawl", "http://no-such-host.invalid/-Regions-", "--db", str(tmp_path / "a.db")
    )
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "Error: cannot resolve host 'no-such-host.invalid' "
        "(in http://no-such-host.invalid/-Regions-): check the URL"
    )
    assert not (tmp_path / "a.db").exists()


def test_unwritable_archive_paths_are_refused(tmp_path: Path) -> None:
    a_file = tmp_path / "notes.txt"
    a_file.write_text("not a directory\n")
    assert_one_line_error(invoke("crawl", SITE, "--db", str(a_file / "a.db")), "a.db")
    assert_usage_error(invoke("crawl", SITE, "--db", str(tmp_path)), "is a directory")
    assert_one_line_error(invoke("crawl", SITE, "--db", "/proc/regarchive/a.db"), "a.db")
    assert a_file.read_text() == "not a directory\n"


def test_an_unwritable_log_file_is_refused(tmp_path: Path) -> None:
    log = tmp_path / "missing" / "crawl.log"
    result = invoke("crawl", SITE, "--db", str(tmp_path / "a.db"), "--log-file", str(log))
    assert_one_line_error(result, "cannot write the log file", "crawl.log")
    assert not (tmp_path / "a.db").exists()


@pytest.mark.parametrize(
    ("setting", "expected"),
    [
        ("DOWNLOAD_TIMEOUT=abc", "bad value for DOWNLOAD_TIMEOUT: 'abc'; expected a number"),
        ("DOWNLOAD_TIMEOUT=0", "expected a number greater than 0"),
        ("REGARCHIVE_MAX_PAGES_PER_RUBRIC=-1", "expected a whole number at least 1"),
        ("RETRY_TIMES=1.5", "bad value for RETRY_TIMES"),
        ("DOWNLOAD_MAXSIZE=20MB", "bad value for DOWNLOAD_MAXSIZE"),
        ("ROBOTSTXT_OBEY=maybe", "expected True or False"),
        ("RETRY_HTTP_CODES=503,abc", "HTTP status codes"),
        ("LOG_LEVEL=LOUD", "bad value for LOG_LEVEL"),
        ("REGARCHIVE_EXTRACT_WORKERS=-2", "bad value for REGARCHIVE_EXTRACT_WORKERS"),
        ("REGARCHIVE_MAX_PAGE_PER_RUBRIC=3", "did you mean REGARCHIVE_MAX_PAGES_PER_RUBRIC?"),
        ("DOWNLOAD_DELAI=2", "unknown setting DOWNLOAD_DELAI; did you mean DOWNLOAD_DELAY?"),
        ("download_delay=2", "unknown setting download_delay; did you mean DOWNLOAD_DELAY?"),
        ("ZQXWV=1", "unknown setting ZQXWV (neither Scrapy's nor regarchive's)"),
        ("DOWNLOAD_DELAY=inf", "bad value for DOWNLOAD_DELAY: 'inf'; expected a number at least 0"),
        ("DOWNLOAD_TIMEOUT=nan", "bad value for DOWNLOAD_TIMEOUT: 'nan'"),
        ("REGARCHIVE_RETRY_AFTER_MAX=-inf", "bad value for REGARCHIVE_RETRY_AFTER_MAX"),
        ("REGARCHIVE_PROGRESS_INTERVAL=0", "expected a number greater than 0"),
        ("DOWNLOAD_DELAY", "-s expects KEY=VALUE"),
    ],
)
def test_bad_config_values_are_refused(setting: str, expected: str, tmp_path: Path) -> None:
    result = invoke("crawl", SITE, "--db", str(tmp_path / "a.db"), "-s", setting)
    if "KEY=VALUE" in expected:  # a malformed pair is a usage error: click adds its usage line
        assert_usage_error(result, expected)
        return
    assert_one_line_error(result, expected)
    assert not (tmp_path / "a.db").exists()


@pytest.mark.e2e
def test_bad_config_values_get_no_traceback_in_a_real_process(tmp_path: Path) -> None:
    result = regarchive("crawl", SITE, "--db", str(tmp_path / "a.db"), "-s", "DOWNLOAD_TIMEOUT=abc")
    assert result.returncode == 2
    assert result.stderr == (
        "Error: bad value for DOWNLOAD_TIMEOUT: 'abc'; "
        "expected a number greater than 0 and at most 86400\n"
    )


@pytest.mark.parametrize("command", ["search", "list", "export"])
@pytest.mark.parametrize("option", ["--since", "--until"])
def test_bad_dates_in_filters_are_refused(command: str, option: str, tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    Archive(db).close()
    args = [command, "--db", str(db), option, "2024-13-45"]
    if command == "search":
        args.insert(1, "budget")
    assert_one_line_error(invoke(*args), option, "2024-13-45")
