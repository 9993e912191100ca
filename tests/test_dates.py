"""French dates as these sites write them → ISO dates, and the ones that must be refused."""

from __future__ import annotations

from datetime import date

import pytest

from regarchive.pipelines.extraction.dates import (
    DateResult,
    find_dated_phrases,
    looks_like_date,
    parse_french_date,
)

TODAY = date(2025, 6, 15)

VALID = [
    # ISO and timestamps
    ("2017-12-12", "2017-12-12"),
    ("2017-12-12T10:00:00Z", "2017-12-12"),
    ("2017-12-12 10:00:00", "2017-12-12"),
    ("2024-05-14T09:00:00+02:00", "2024-05-14"),
    # SPIP's date_iso is UTC: 23:30 UTC on the 11th is already the 12th in France
    ("2017-12-11T23:30:00Z", "2017-12-12"),
    ("2024-07-01T22:15:00.000Z", "2024-07-02"),
    ("2017/12/12", "2017-12-12"),
    # numeric, day first
    ("12/12/2017", "2017-12-12"),
    ("12.12.2017", "2017-12-12"),
    ("12-12-2017", "2017-12-12"),
    ("03/04/2024", "2024-04-03"),
    ("3/4/2024", "2024-04-03"),
    ("12/12/17", "2017-12-12"),
    # written out
    ("12 décembre 2017", "2017-12-12"),
    ("1er août 2023", "2023-08-01"),
    ("1 er août 2023", "2023-08-01"),
    ("1ᵉʳ août 2023", "2023-08-01"),
    ("mardi 12 décembre 2017", "2017-12-12"),
    ("12 DÉCEMBRE 2017", "2017-12-12"),
    ("12 decembre 2017", "2017-12-12"),
    ("7 fevrier 2024", "2024-02-07"),
    ("7 FEVRIER 2024", "2024-02-07"),
    ("le 5 janv. 2024", "2024-01-05"),
    ("14 juil. 2022", "2022-07-14"),
    ("22 sept. 2021", "2021-09-22"),
    ("12\u00a0décembre\u00a02017", "2017-12-12"),
    ("12\u202fdécembre 2017", "2017-12-12"),
    ("  12   décembre   2017  ", "2017-12-12"),
    # with the words around them
    ("Publié le 1er août 2023", "2023-08-01"),
    ("publié le 12/12/2017 à 10h30", "2017-12-12"),
    ("mis à jour le 3 mars 2024", "2024-03-03"),
    ("Mis à jour : 03/03/2024", "2024-03-03"),
    ("Modifié le 4 avril 2024", "2024-04-04"),
    ("Dernière modification : 18 juin 2019", "2019-06-18"),
    ("mercredi 12 mars 2008, par Jean-Pierre Moreau", "2008-03-12"),
    ("Commission Européenne - 2017-12-12", "2017-12-12"),
    ("Publié le 1er août 2023 – mis à jour le 3 mars 2024", "2023-08-01"),
    # tomorrow is tolerated (a server a few hours ahead)
    ("16/06/2025", "2025-06-16"),
    # English, as a fallback
    ("December 12, 2017", "2017-12-12"),
    ("12 December 2017", "2017-12-12"),
    ("Dec 12, 2017", "2017-12-12"),
    ("2017, December 12", "2017-12-12"),
]

REJECTED = [
    ("31/02/2024", "impossible date '31/02/2024' ignored"),
    ("30 février 2024", "impossible date '30 février 2024' ignored"),
    ("2023-13-01", "impossible date '2023-13-01' ignored"),
    ("Publié le 32/01/2024", "impossible date '32/01/2024' ignored"),
    ("12/12/2030", "future date '12/12/2030' ignored"),
    ("17/06/2025", "future date '17/06/2025' ignored"),
    ("1er janvier 2099", "future date '1er janvier 2099' ignored"),
    ("12/12/1970", "implausible date '12/12/1970' ignored"),
    ("1970-01-01T00:00:00Z", "implausible date '1970-01-01T00:00:00Z' ignored"),
]

NO_DATE = [
    "",
    "   ",
    "hier",
    "il y a 3 jours",
    "décembre 2017",
    "2017",
    "Commission Européenne",
    "SPIP 3.2.11",
    "01.23.45.67.89",
    "le 12 décembre",
]


@pytest.mark.parametrize(("text", "expected"), VALID)
def test_valid_dates(text: str, expected: str) -> None:
    assert parse_french_date(text, today=TODAY) == DateResult(expected)


@pytest.mark.parametrize(("text", "reason"), REJECTED)
def test_rejected_dates_say_why(text: str, reason: str) -> None:
    result = parse_french_date(text, today=TODAY)
    assert result.value is None
    assert result.reason == reason
    assert result.rejected


@pytest.mark.parametrize("text", NO_DATE)
def test_no_date_is_invented(text: str) -> None:
    result = parse_french_date(text, today=TODAY)
    assert result == DateResult(None)
    assert not result.rejected


def test_today_defaults_to_the_current_date() -> None:
    assert parse_french_date("01/01/2020").value == "2020-01-01"
    assert parse_french_date("01/01/2999").rejected


def test_looks_like_date_includes_impossible_ones() -> None:
    assert looks_like_date("31/02/2024")
    assert looks_like_date("12 décembre 2017")
    assert not looks_like_date("Ministère de l’Intérieur")


def test_dated_phrases() -> None:
    found = find_dated_phrases("Publié le 1er août 2023 – mis à jour le 3 mars 2024")
    assert [kind for kind, _ in found] == ["published", "updated"]
    assert [parse_french_date(fragment).value for _, fragment in found] == [
        "2023-08-01",
        "2024-03-03",
    ]


def test_dated_phrases_need_a_phrase() -> None:
    assert find_dated_phrases("Le décret du 3 mars 2024 est paru au Journal officiel.") == []
    assert [kind for kind, _ in find_dated_phrases("Dernière modification : 18/06/2019")] == [
        "updated"
    ]
