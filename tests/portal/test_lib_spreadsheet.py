"""portal.lib.spreadsheet: formula cells leave the portal inert."""

import datetime

import pytest

from portal.lib.spreadsheet import neutralise_formula


@pytest.mark.parametrize(
    "value",
    [
        '=HYPERLINK("http://x","点我")',
        "=1+1",
        "+1+1",
        "+8613800138000",
        "-2+3",
        "@SUM(A1)",
        "\t=1",
        "\r=1",
        "=",
    ],
)
def test_formula_starts_get_a_leading_quote(value):
    assert neutralise_formula(value) == "'" + value


@pytest.mark.parametrize(
    "value",
    [
        "plain",
        "司机之家",
        "138****0001",
        "",
        "a=b",
        "'=already quoted",
        " =1",  # unchanged today: the exporters never quoted a leading space
        42,
        -2,
        1.5,
        None,
        True,
        datetime.date(2026, 7, 1),
    ],
)
def test_other_values_are_left_as_they_are(value):
    assert neutralise_formula(value) == value
    assert type(neutralise_formula(value)) is type(value)
