"""KPI target text -> value, unit, direction (as IATI indicators record them)."""

import pytest

from actiontrack.targets import parse_target

CASES = [
    # every KPI target of the Health Inequalities seed, then common council phrasings
    ("10 x volunteers", 10, "volunteers", "increase", False),
    ("10 x campaigns interventions", 10, "campaigns interventions", "increase", False),
    ("75% of schools", 75, "%", "increase", False),
    ("2,000 individual participants accessing the programme", 2000, "participants", "increase", False),
    ("3x campaigns/interventions", 3, "campaigns/interventions", "increase", False),
    ("Successful funding bids", None, None, "increase", False),
    ("75% of Properties", 75, "%", "increase", False),
    ("X programme attendances / decrease physical inactivity levels", None, None, "decrease", True),
    (
        "Implementation of the 12 month targeted programme engaging with key target groups e.g. Care Leavers, "
        "disability groups and the BAME communities",
        None,
        None,
        "increase",
        False,
    ),
    ("Reduce to 40 complaints a year", 40, "complaints", "decrease", False),
    ("at least 12.5 per cent of homes", 12.5, "%", "increase", False),
    ("500 people", 500, "people", "increase", False),
    ("10 x 'volunteers'", 10, "volunteers", "increase", False),
    ("TBC", None, None, "increase", True),
    ("xx% of residents", None, None, "increase", True),
    # a list's number is not a target's value (a real plan's "1. All staff will be trained, 2. ...")
    ("1. All staff will be trained, 2. Smokefree policy agreed", None, None, "increase", False),
    ("2) 50 events in schools", 50, "events", "increase", False),
    ("(1) 20 schools", 20, "schools", "increase", False),
    ("1.5% fewer smokers", 1.5, "%", "decrease", False),
]


@pytest.mark.parametrize(("text", "value", "unit", "direction", "placeholder"), CASES)
def test_parse_target(text, value, unit, direction, placeholder):
    parsed = parse_target(text)
    assert parsed.value == value
    assert parsed.unit == unit
    assert parsed.direction == direction
    assert parsed.placeholder is placeholder
