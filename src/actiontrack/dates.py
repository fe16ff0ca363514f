"""The deadline grammar of real action plans.

Plans write deadlines the way officers speak: "2022/23" (a financial year), "Q3 2022/23", "March 2023",
"2022/24" (a span of financial years), "ongoing". `parse_when` keeps the text as written and derives the
period it names; a deadline is the period's last day.

The financial year starts in `fy_start` (a month number, April by default as in the UK public sector):
"2022/23" runs from 1 April 2022 to 31 March 2023.
"""

from __future__ import annotations

import calendar
import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from .words import shown, what_it_is

__all__ = [
    "RECURRING",
    "DateError",
    "Period",
    "When",
    "code_meaning",
    "fy_label",
    "parse_month",
    "parse_when",
    "reporting_periods",
]

MONTHS = {name.lower(): number for number, name in enumerate(calendar.month_name) if name}
MONTHS.update({name.lower(): number for number, name in enumerate(calendar.month_abbr) if name})
MONTHS["sept"] = 9

#: Words that mean "no single date": the action recurs or never ends.
RECURRING = {
    "ongoing": "ongoing",
    "on-going": "ongoing",
    "continuous": "ongoing",
    "monthly": "monthly",
    "quarterly": "quarterly",
    "half-yearly": "half-yearly",
    "6 monthly": "half-yearly",
    "6-monthly": "half-yearly",
    "six monthly": "half-yearly",
    "biannual": "half-yearly",
    "annual": "annual",
    "annually": "annual",
    "yearly": "annual",
}

# "2022/23", "2022 / 23", "2022-23"; a hyphen with spaces ("2021 - 2023") is a range of calendar years instead
_FY = r"(?P<fy>[0-9]{4})(?:\s*/\s*|-|–(?=[0-9]{2}(?![0-9])))(?P<fy2>[0-9]{2}|[0-9]{4})"
_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("iso", re.compile(r"(?P<y>[0-9]{4})-(?P<m>[0-9]{1,2})-(?P<d>[0-9]{1,2})")),
    ("dmy", re.compile(r"(?P<d>[0-9]{1,2})/(?P<m>[0-9]{1,2})/(?P<y>[0-9]{4})")),
    ("day-month", re.compile(r"(?P<d>[0-9]{1,2})(?:st|nd|rd|th)?\s+(?P<month>[a-z]+)\.?,?\s+(?P<y>[0-9]{4})")),
    ("month", re.compile(r"(?:end\s+of\s+)?(?P<month>[a-z]+)\.?,?\s+(?P<y>[0-9]{4})")),
    ("fy-quarter", re.compile(r"q(?P<q>[1-4])\s*,?\s*(?:fy\s*)?" + _FY)),
    ("fy-quarter", re.compile(r"(?:fy\s*)?" + _FY + r"\s*,?\s*q(?P<q>[1-4])")),
    ("fy-half", re.compile(r"h(?P<h>[12])\s*,?\s*(?:fy\s*)?" + _FY)),
    ("fy-half", re.compile(r"(?:fy\s*)?" + _FY + r"\s*,?\s*h(?P<h>[12])")),
    ("fy", re.compile(r"(?:fy\s*)?" + _FY)),
    ("quarter", re.compile(r"q(?P<q>[1-4])\s*,?\s*(?P<y>[0-9]{4})")),  # calendar quarters: "Q2 2022", "2022 Q2"
    ("quarter", re.compile(r"(?P<y>[0-9]{4})\s*,?\s*q(?P<q>[1-4])")),
    ("half", re.compile(r"h(?P<h>[12])\s*,?\s*(?P<y>[0-9]{4})")),
    ("half", re.compile(r"(?P<y>[0-9]{4})\s*,?\s*h(?P<h>[12])")),
    ("year", re.compile(r"(?P<y>[0-9]{4})")),
]
_RANGE = re.compile(r"(?P<a>.+?)\s*(?:\s[-–—]\s|–|—|\sto\s|\suntil\s|\sand\s|\s&\s)\s*(?P<b>.+)")
# "by March 2023", "by the end of 2023": the deadline is the end of the period named
_BY = re.compile(r"^(?:by|no later than)\s+(?:the\s+)?(?:end\s+of\s+)?", re.I)

HINT = (
    'write a date as "2023-03-31", "March 2023", "2022/23" (financial year), "Q3 2022/23", '
    '"2023", or "ongoing" / "quarterly" / "annual"'
)


class DateError(ValueError):
    """A deadline or period that the grammar does not know; the message names the text."""


def _quote(text: str) -> str:
    """`text` in double quotes for an error message: one line, cut short, nothing a terminal would act on."""
    return f'"{shown(text)}"'


def _out_of_years(text: str) -> DateError:
    return DateError(f"{_quote(text)} is outside the years actiontrack can handle (1 to 9999)")


def _real_date(text: str, year: int, month: int, day: int) -> date:
    if not 1 <= year <= 9999:
        raise _out_of_years(text)
    if not 1 <= month <= 12:
        raise DateError(f"{_quote(text)} is not a real date: there is no month {month}")
    days = calendar.monthrange(year, month)[1]
    if not 1 <= day <= days:
        raise DateError(f"{_quote(text)} is not a real date: {calendar.month_name[month]} {year} has {days} days")
    return date(year, month, day)


@dataclass(frozen=True, slots=True)
class Period:
    """A span of days, both ends included."""

    start: date
    end: date


@dataclass(frozen=True, slots=True)
class When:
    """A deadline or period as written, with what it means.

    `end` is the derived deadline (None when the text names a recurrence such as "ongoing").
    `kind` says which form the text took, e.g. "fy", "month", "iso", "recurring".
    """

    text: str
    kind: str
    start: date | None = None
    end: date | None = None
    recurrence: str | None = None

    @property
    def is_recurring(self) -> bool:
        return self.recurrence is not None

    def __str__(self) -> str:
        return self.text


def _end_of_month(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _add_months(year: int, month: int, months: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + months
    return index // 12, index % 12 + 1


def fy_period(first_year: int, fy_start: int, months: int = 12, offset: int = 0) -> Period:
    """The `months`-long slice of financial year `first_year` that begins `offset` months in."""
    year, month = _add_months(first_year, fy_start, offset)
    start = date(year, month, 1)
    last_year, last_month = _add_months(year, month, months - 1)
    return Period(start, _end_of_month(last_year, last_month))


def fy_label(first_year: int, fy_start: int = 4) -> str:
    """The usual name of a financial year: "2022/23"; a calendar year is just "2022"."""
    if fy_start == 1:
        return str(first_year)
    return f"{first_year}/{(first_year + 1) % 100:02d}"


def fy_of(day: date, fy_start: int) -> int:
    """The first calendar year of the financial year holding `day`."""
    return day.year if day.month >= fy_start else day.year - 1


def _second_year(first: int, written: str) -> int:
    if len(written) == 4:
        return int(written)
    century = first - first % 100
    second = century + int(written)
    return second if second > first else second + 100


def parse_month(value: str | int) -> int:
    """A month number from 1-12, "April" or "Apr" (case-insensitive)."""
    if isinstance(value, int) and not isinstance(value, bool):
        if 1 <= value <= 12:
            return value
    elif isinstance(value, str):
        text = value.strip().lower()
        if text.isdigit() and 1 <= int(text) <= 12:
            return int(text)
        if text in MONTHS:
            return MONTHS[text]
    shown = _quote(value) if isinstance(value, str) else what_it_is(value)
    raise DateError(f'{shown} is not a month: write a month name such as "April" or a number 1-12')


def _single(text: str, fy_start: int) -> When | None:
    key = text.lower().strip().rstrip(".")
    for kind, pattern in _PATTERNS:
        match = pattern.fullmatch(key)
        if not match:
            continue
        groups = match.groupdict()
        try:
            if kind in ("iso", "dmy", "day-month"):
                month = int(groups["m"]) if groups.get("m") else MONTHS.get(groups.get("month") or "")
                if not month:
                    continue
                day = _real_date(text, int(groups["y"]), month, int(groups["d"]))
                return When(text, kind if kind != "day-month" else "date", day, day)
            if kind == "month":
                month = MONTHS.get(groups["month"])
                if not month:
                    continue
                year = int(groups["y"])
                return When(text, kind, date(year, month, 1), _end_of_month(year, month))
            if kind == "year":
                year = int(groups["y"])
                return When(text, kind, date(year, 1, 1), date(year, 12, 31))
            if kind in ("quarter", "half"):
                months = 3 if kind == "quarter" else 6
                span = fy_period(int(groups["y"]), 1, months, months * (int(groups.get("q") or groups["h"]) - 1))
                return When(text, kind, span.start, span.end)
            first = int(groups["fy"])
            last = _second_year(first, groups["fy2"])
            if last == first + 1:
                if kind == "fy":
                    span = fy_period(first, fy_start)
                elif kind == "fy-quarter":
                    span = fy_period(first, fy_start, 3, 3 * (int(groups["q"]) - 1))
                else:
                    span = fy_period(first, fy_start, 6, 6 * (int(groups["h"]) - 1))
                return When(text, kind, span.start, span.end)
            if kind == "fy" and first < last <= first + 10:
                # "2022/24": financial years 2022/23 and 2023/24; it ends with the last one.
                return When(text, "fy-span", fy_period(first, fy_start).start, fy_period(last - 1, fy_start).end)
            raise DateError(
                f'{_quote(text)} is not a financial year: the second year must follow the first, as in "2022/23"'
            )
        except DateError:
            raise
        except ValueError:  # date() beyond year 1 or 9999 (e.g. "0000", "9999/00"); real days are checked above
            raise _out_of_years(text) from None
    return None


def parse_when(value: str | int | date, fy_start: int = 4, codes: Mapping[str, str] | None = None) -> When:
    """Parse a deadline or period as written in a plan.

    >>> parse_when("2022/23").end
    datetime.date(2023, 3, 31)
    >>> parse_when("October 2021").end
    datetime.date(2021, 10, 31)

    `codes` is the plan's legend of deadline codes ({"S": "March 2020"}): a text that is one of its codes
    (case-insensitive) keeps its text and takes the dates of the text the legend gives it.
    >>> parse_when("M", codes={"M": "March 2021"}).end
    datetime.date(2021, 3, 31)
    >>> parse_when("S/M", codes={"S": "March 2020", "M": "March 2021"}).end
    datetime.date(2021, 3, 31)
    """
    if isinstance(value, date):
        return When(value.isoformat(), "iso", value, value)
    if value is None:
        raise DateError(f"the date is empty; {HINT}")
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise DateError(f"expected a date written as text, not {what_it_is(value)}; {HINT}")
    try:
        text = str(value)
    except ValueError:  # an int of more digits than Python will write out (sys.get_int_max_str_digits)
        raise DateError(f"a number thousands of digits long is not a date; {HINT}") from None
    text = " ".join(text.split())
    if codes:
        resolved_code = _code_when(text, codes, fy_start)
        if resolved_code is not None:
            return resolved_code
    try:
        return _parse_text(text, fy_start)
    except DateError as error:
        if codes is not None and _looks_like_code(text):
            if codes:
                known = ", ".join(f'"{shown(code)}"' for code in sorted(codes))
                more = f"nor one of the plan's deadline codes ({known} in plan.yaml deadline_codes)"
            else:
                more = (
                    f'if it is the plan\'s own code, define it in plan.yaml: deadline_codes: {{{text}: "March 2023"}}'
                )
            raise DateError(f"{error}; {more}") from None
        raise


_CODE_SPAN = re.compile(r"\s*(?:/|-|–|—|\bto\b|\band\b|&)\s*")


def _code_when(text: str, codes: Mapping[str, str], fy_start: int) -> When | None:
    """A code ("M") or a span of codes ("S/M", "S-L", "S/M/L": from the first's start to the last's end)."""
    meaning = code_meaning(text, codes)
    if meaning is not None:
        resolved = _parse_text(" ".join(meaning.split()), fy_start)
        return When(text, "code", resolved.start, resolved.end, resolved.recurrence)
    parts = [part for part in _CODE_SPAN.split(text) if part]
    if len(parts) < 2:
        return None
    meanings = [code_meaning(part, codes) for part in parts]
    if any(m is None for m in meanings):
        return None
    spans = [_parse_text(" ".join(m.split()), fy_start) for m in meanings if m is not None]
    if any(span.start is None or span.end is None for span in spans):
        return None
    return When(text, "code", min(s.start for s in spans if s.start), max(s.end for s in spans if s.end))


def code_meaning(text: str, codes: Mapping[str, str]) -> str | None:
    """What the plan's legend says a deadline code means: exact spelling first, then any case."""
    key = text.strip()
    if key in codes:
        return codes[key]
    folded = {code.casefold(): meaning for code, meaning in codes.items()}
    return folded.get(key.casefold())


_CODE = re.compile(r"[A-Z][A-Z0-9+]{0,3}(?:\s*[/-]\s*[A-Z][A-Z0-9+]{0,3})*")


def _looks_like_code(text: str) -> bool:
    """A short capital token such as "S", "M", "LT", "Y2", "ST+", or a span "S/M": what plans use as deadline
    codes (a word such as "yes" or "soon" is not taken for one)."""
    return bool(_CODE.fullmatch(text))


@functools.lru_cache(maxsize=4096)
def _parse_text(text: str, fy_start: int) -> When:
    # cached: a repository writes the same few deadlines and periods ("2022/23", "2022/23 Q1") thousands of times,
    # and a When is immutable, so equal texts share one
    if not text:
        raise DateError(f"the date is empty; {HINT}")
    key = text.lower().rstrip(".")
    if key in RECURRING:
        return When(text, "recurring", recurrence=RECURRING[key])
    single = _single(text, fy_start)
    if single is not None:
        return single
    by = _BY.match(text)
    if by and by.end() < len(text):
        within = _single(text[by.end() :], fy_start)
        if within is not None:
            return When(text, within.kind, within.start, within.end)
    span = _RANGE.fullmatch(text)
    if span:
        first, last = _single(span["a"], fy_start), _single(span["b"], fy_start)
        if first and last and first.start and last.end:
            if first.start > last.end:
                raise DateError(f"{_quote(text)} ends before it starts")
            return When(text, "range", first.start, last.end)
    raise DateError(f"{_quote(text)} is not a date actiontrack understands; {HINT}")


CADENCE_MONTHS = {"monthly": 1, "quarterly": 3, "half-yearly": 6, "annual": 12}


def period_label(cadence: str, span: Period, fy_start: int) -> str:
    """How an update names the reporting period `span`: "2022/23 Q1", "2022/23 H2", "2022/23", "April 2022"."""
    first_year = fy_of(span.start, fy_start)
    fy = fy_label(first_year, fy_start)
    months_in = (span.start.year - first_year) * 12 + span.start.month - fy_start
    if cadence == "quarterly":
        return f"{fy} Q{months_in // 3 + 1}"
    if cadence == "half-yearly":
        return f"{fy} H{months_in // 6 + 1}"
    if cadence == "annual":
        return fy
    return f"{calendar.month_name[span.start.month]} {span.start.year}"


def reporting_periods(cadence: str, start: date, end: date, fy_start: int = 4) -> list[tuple[str, Period]]:
    """The reporting periods of `cadence` that overlap `start`..`end`, aligned to the financial year."""
    step = CADENCE_MONTHS[cadence]
    first_year = fy_of(start, fy_start)
    periods: list[tuple[str, Period]] = []
    offset = 0
    while True:
        span = fy_period(first_year, fy_start, step, offset)
        if span.start > end:
            return periods
        if span.end >= start:
            periods.append((period_label(cadence, span, fy_start), span))
        offset += step
