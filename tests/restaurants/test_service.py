"""Service-level tests of the restaurants context: the settings validators."""

from __future__ import annotations

import pytest

from brigade.restaurants.exceptions import InvalidTaxRate, UnknownCurrency, UnknownTimeZone
from brigade.restaurants.service import (
    validate_currency,
    validate_tax_rate,
    validate_time_zone,
)


def test_currency_is_upper_cased() -> None:
    assert validate_currency("eur") == "EUR"
    assert validate_currency("JPY") == "JPY"


@pytest.mark.parametrize("code", ["XYZ", "EURO", "", "usd "])
def test_unknown_currency(code: str) -> None:
    with pytest.raises(UnknownCurrency):
        validate_currency(code)


@pytest.mark.parametrize("name", ["UTC", "America/New_York", "Europe/Paris", "Asia/Kolkata"])
def test_known_time_zones(name: str) -> None:
    assert validate_time_zone(name) == name


@pytest.mark.parametrize("name", ["Mars/Olympus", "", "../etc/passwd", "EST5EDT/x"])
def test_unknown_time_zone(name: str) -> None:
    with pytest.raises(UnknownTimeZone):
        validate_time_zone(name)


@pytest.mark.parametrize("rate", [0, 825, 10_000])
def test_tax_rate_bounds_inclusive(rate: int) -> None:
    assert validate_tax_rate(rate) == rate


@pytest.mark.parametrize("rate", [-1, 10_001])
def test_tax_rate_out_of_bounds(rate: int) -> None:
    with pytest.raises(InvalidTaxRate):
        validate_tax_rate(rate)
