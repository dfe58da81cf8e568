"""Spreadsheet exports: cells that a spreadsheet program would run as formulas made inert."""

from typing import TypeVar

# A text cell starting with one of these is read as a formula (or DDE command) by Excel,
# LibreOffice and WPS: "=HYPERLINK(…)", "+1+1", "-2+3", "@SUM(A1)", and the same behind
# a tab or a carriage return.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

T = TypeVar("T")


def neutralise_formula(value: T) -> T | str:
    """Prefix a text cell that a spreadsheet would run with a quote; return others as they are.

    The leading ``'`` makes spreadsheet programs show the text instead of evaluating it.
    Numbers, dates and None are left alone: a negative number is not a formula.
    """
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value
