"""The deadline grammar, table by table. Every deadline string of both seed plans is in SEED_DEADLINES."""

from datetime import date

import pytest

from actiontrack.dates import DateError, parse_month, parse_when, reporting_periods

# (text as written, derived deadline) — every "By when" / "Expected Completion date" / milestone date in the seeds
SEED_DEADLINES = [
    ("2022/23", date(2023, 3, 31)),
    ("2022/24", date(2024, 3, 31)),
    ("October 2021", date(2021, 10, 31)),
    ("March 2022", date(2022, 3, 31)),
    ("May 2021", date(2021, 5, 31)),
    ("September 2023", date(2023, 9, 30)),
    ("May 2023", date(2023, 5, 31)),
    ("March 2023", date(2023, 3, 31)),
    ("October 2022", date(2022, 10, 31)),
]

GRAMMAR = [
    ("2023-03-31", "iso", date(2023, 3, 31), date(2023, 3, 31)),
    ("2024-02-29", "iso", date(2024, 2, 29), date(2024, 2, 29)),
    ("31/03/2023", "dmy", date(2023, 3, 31), date(2023, 3, 31)),
    ("31 March 2023", "date", date(2023, 3, 31), date(2023, 3, 31)),
    ("1st April 2022", "date", date(2022, 4, 1), date(2022, 4, 1)),
    ("Mar 2022", "month", date(2022, 3, 1), date(2022, 3, 31)),
    ("Sept 2022", "month", date(2022, 9, 1), date(2022, 9, 30)),
    ("february 2024", "month", date(2024, 2, 1), date(2024, 2, 29)),
    ("End of March 2023", "month", date(2023, 3, 1), date(2023, 3, 31)),
    ("2022/23", "fy", date(2022, 4, 1), date(2023, 3, 31)),
    ("2022-23", "fy", date(2022, 4, 1), date(2023, 3, 31)),
    ("2022–23", "fy", date(2022, 4, 1), date(2023, 3, 31)),  # an en dash, as word processors write it
    ("Q3 2022–23", "fy-quarter", date(2022, 10, 1), date(2022, 12, 31)),
    ("2022/2023", "fy", date(2022, 4, 1), date(2023, 3, 31)),
    ("FY 2022/23", "fy", date(2022, 4, 1), date(2023, 3, 31)),
    ("2099/00", "fy", date(2099, 4, 1), date(2100, 3, 31)),
    ("2022/24", "fy-span", date(2022, 4, 1), date(2024, 3, 31)),
    ("2021/2024", "fy-span", date(2021, 4, 1), date(2024, 3, 31)),
    ("Q1 2022/23", "fy-quarter", date(2022, 4, 1), date(2022, 6, 30)),
    ("Q3 2022/23", "fy-quarter", date(2022, 10, 1), date(2022, 12, 31)),
    ("Q4 2022/23", "fy-quarter", date(2023, 1, 1), date(2023, 3, 31)),
    ("2022/23 Q2", "fy-quarter", date(2022, 7, 1), date(2022, 9, 30)),
    ("H2 2022/23", "fy-half", date(2022, 10, 1), date(2023, 3, 31)),
    ("2023", "year", date(2023, 1, 1), date(2023, 12, 31)),
    ("2021 – 2023", "range", date(2021, 1, 1), date(2023, 12, 31)),
    ("April 2022 to March 2023", "range", date(2022, 4, 1), date(2023, 3, 31)),
]

RECURRING = [
    ("ongoing", "ongoing"),
    ("Ongoing", "ongoing"),
    ("on-going", "ongoing"),
    ("quarterly", "quarterly"),
    ("Annual", "annual"),
    ("annually", "annual"),
    ("half-yearly", "half-yearly"),
    ("monthly", "monthly"),
]

BAD = [
    "soon",
    "tbc",
    "Q5 2022/23",
    "2023-02-30",
    "2022/21",
    "Smarch 2022",
    "٢٠٢٣",  # Arabic-Indic digits: plans write dates in ASCII digits
    "２０２３/２４",  # full-width digits
    "2022/23/24",
    "",
    "   ",
    "13/13/2023",
]


@pytest.mark.parametrize(("text", "deadline"), SEED_DEADLINES)
def test_every_seed_deadline_parses(text, deadline):
    when = parse_when(text)
    assert when.end == deadline
    assert when.text == text


@pytest.mark.parametrize(("text", "kind", "start", "end"), GRAMMAR)
def test_grammar(text, kind, start, end):
    when = parse_when(text)
    assert (when.kind, when.start, when.end) == (kind, start, end)
    assert not when.is_recurring


@pytest.mark.parametrize(("text", "recurrence"), RECURRING)
def test_recurring_has_no_single_date(text, recurrence):
    when = parse_when(text)
    assert when.recurrence == recurrence
    assert when.end is None and when.is_recurring
    assert when.text == text


@pytest.mark.parametrize("text", BAD)
def test_unknown_text_is_an_error_naming_it(text):
    with pytest.raises(DateError) as raised:
        parse_when(text)
    assert f'"{text.strip()}"' in str(raised.value) or "empty" in str(raised.value)


def test_text_is_kept_but_whitespace_normalised():
    assert parse_when("  March   2023 ").text == "March 2023"


def test_yaml_date_and_int_values():
    assert parse_when(date(2023, 3, 31)).text == "2023-03-31"
    assert parse_when(2023).end == date(2023, 12, 31)
    with pytest.raises(DateError):
        parse_when(True)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("fy_start", "text", "start", "end"),
    [
        (1, "2022/23", date(2022, 1, 1), date(2022, 12, 31)),
        (7, "2022/23", date(2022, 7, 1), date(2023, 6, 30)),
        (7, "Q1 2022/23", date(2022, 7, 1), date(2022, 9, 30)),
        (7, "Q4 2022/23", date(2023, 4, 1), date(2023, 6, 30)),
        (10, "2022/24", date(2022, 10, 1), date(2024, 9, 30)),
        (7, "March 2023", date(2023, 3, 1), date(2023, 3, 31)),  # months do not move
    ],
)
def test_financial_year_start_is_configurable(fy_start, text, start, end):
    when = parse_when(text, fy_start)
    assert (when.start, when.end) == (start, end)


@pytest.mark.parametrize(("value", "month"), [("April", 4), ("apr", 4), (4, 4), ("7", 7), ("January", 1)])
def test_parse_month(value, month):
    assert parse_month(value) == month


@pytest.mark.parametrize("value", ["Smarch", 0, 13, "", True])
def test_parse_month_rejects(value):
    with pytest.raises(DateError):
        parse_month(value)


def test_quarterly_reporting_periods_follow_the_financial_year():
    periods = reporting_periods("quarterly", date(2022, 4, 1), date(2023, 3, 31))
    assert [label for label, _ in periods] == ["2022/23 Q1", "2022/23 Q2", "2022/23 Q3", "2022/23 Q4"]
    assert periods[3][1].start == date(2023, 1, 1) and periods[3][1].end == date(2023, 3, 31)
    # every label parses back to the same span, so an update's period matches its reporting period
    for label, span in periods:
        assert (parse_when(label).start, parse_when(label).end) == (span.start, span.end)


@pytest.mark.parametrize(
    ("cadence", "labels"),
    [
        ("half-yearly", ["2022/23 H1", "2022/23 H2"]),
        ("annual", ["2022/23"]),
        ("monthly", ["April 2022", "May 2022", "June 2022"]),
    ],
)
def test_other_cadences(cadence, labels):
    end = date(2022, 6, 30) if cadence == "monthly" else date(2023, 3, 31)
    periods = reporting_periods(cadence, date(2022, 4, 1), end)
    assert [label for label, _ in periods] == labels
    for label, span in periods:
        assert parse_when(label).end == span.end


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        (
            "2022 Q2",
            date(2022, 4, 1),
            date(2022, 6, 30),
        ),  # calendar quarters, as written when the year starts in January
        ("Q4 2022", date(2022, 10, 1), date(2022, 12, 31)),
        ("2022 H2", date(2022, 7, 1), date(2022, 12, 31)),
        ("2021 - 2023", date(2021, 1, 1), date(2023, 12, 31)),  # a spaced hyphen is a range, like an en dash
        ("2022 - 2023", date(2022, 1, 1), date(2023, 12, 31)),
    ],
)
def test_calendar_quarters_and_spaced_ranges(text, start, end):
    when = parse_when(text)
    assert (when.start, when.end) == (start, end)


def test_every_reporting_label_parses_back_for_every_financial_year_start():
    for fy_start in range(1, 13):
        for cadence in ("monthly", "quarterly", "half-yearly", "annual"):
            for label, span in reporting_periods(cadence, date(2022, 1, 1), date(2024, 12, 31), fy_start):
                when = parse_when(label, fy_start)
                assert (when.start, when.end) == (span.start, span.end), (fy_start, cadence, label)
