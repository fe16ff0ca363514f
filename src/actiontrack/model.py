"""The plan model: what a plans repository holds, validated by pydantic.

Every model rejects unknown keys, so a typo ("ownres:") is an error rather than a silently ignored field.
Deadlines are parsed during validation with the repository's financial-year start, passed in the
validation context as {"fy_start": month}; they keep their text as written next to the derived dates.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    StringConstraints,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from .dates import MONTHS, DateError, When, parse_month, parse_when
from .targets import parse_target
from .vocab import CADENCES, OWNER_KINDS, RAGS, STATUSES
from .words import shown

DEFAULT_FY_START = 4


class Strict(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        str_strip_whitespace=True,
        coerce_numbers_to_str=True,  # `id: 1` means the text "1"
        allow_inf_nan=False,
        arbitrary_types_allowed=True,
        defer_build=True,  # validators are built on first use, so commands that validate nothing start faster
    )


def _fy_start(info: ValidationInfo) -> int:
    context = info.context or {}
    return int(context.get("fy_start", DEFAULT_FY_START))


def _to_when(value: Any, info: ValidationInfo) -> When:
    if isinstance(value, When):
        return value
    try:
        return parse_when(value, _fy_start(info))
    except DateError as error:
        raise PydanticCustomError("deadline", str(error)) from None


def _to_deadline(value: Any, info: ValidationInfo) -> When:
    """A deadline may also be one of the plan's own codes ("S", "M", "L"), read through its legend."""
    if isinstance(value, When):
        return value
    codes = (info.context or {}).get("deadline_codes")
    try:
        return parse_when(value, _fy_start(info), codes=dict(codes) if codes is not None else None)
    except DateError as error:
        raise PydanticCustomError("deadline", str(error)) from None


def validation_context(fy_start: int, plan: Plan | None = None) -> dict[str, Any]:
    """What validating an action depends on besides its own text: the financial year's first month and the
    plan's legend of deadline codes (a tuple of pairs, so the context can be hashed into cache keys)."""
    codes = tuple(sorted((code, when.text) for code, when in plan.deadline_codes.items())) if plan else ()
    return {"fy_start": fy_start, "deadline_codes": codes}


def _to_day(value: Any) -> Any:
    """One day written as YYYY-MM-DD (kept as text by the YAML reader, so the deadline grammar checks it)."""
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str):
        raise PydanticCustomError("day", "expected a date written as YYYY-MM-DD, e.g. 2022-04-01")
    try:
        when = parse_when(value, DEFAULT_FY_START)
    except DateError as error:
        if "real date" in str(error) or "years" in str(error):
            raise PydanticCustomError("day", str(error)) from None
        when = None
    if when is None or when.kind != "iso" or when.start is None:
        raise PydanticCustomError("day", f'"{shown(value)}" is not a date; write it as YYYY-MM-DD, e.g. 2022-04-01')
    return when.start


# ---- JSON Schema annotations: what the validators below accept, as editors can check it (see schemas.py) ----------

#: The characters Python's str.strip() and str.split() take for whitespace (what parse_month and parse_when strip),
#: as the body of a regex character class that reads the same in Python and in editors' JavaScript regexes.
PY_SPACE = r"\t\n\x0b\x0c\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"


def any_case(word: str) -> str:
    """A regex matching `word` in any letter case ("[Aa][Pp][Rr]"): JSON Schema patterns have no ignore-case flag."""
    parts = []
    for char in word:
        upper, lower = char.upper(), char.lower()
        if len(upper) == len(lower) == 1 and upper != lower:
            parts.append(f"[{upper}{lower}]")
        elif char.isascii() and char.isalnum():
            parts.append(char)
        else:  # a character a regex could read as an operator, written so that every dialect reads it as itself
            parts.append(f"\\u{ord(char):04x}" if ord(char) < 0x10000 else ".")
    return "".join(parts)


#: financial_year_start as parse_month reads it: 1-12, as a number or as text ("4", "04"), or a month's name or
#: its abbreviation in any case ("April", "apr", "SEPT"), with spaces around.
MONTH_JSON_SCHEMA = {
    "anyOf": [
        {"type": "integer", "minimum": 1, "maximum": 12},
        {
            "type": "string",
            "pattern": f"^[{PY_SPACE}]*(?:0*(?:[1-9]|1[0-2])|{'|'.join(any_case(m) for m in sorted(MONTHS))})"
            f"[{PY_SPACE}]*$",
        },
        # digits of other scripts ("٤"), which parse_month reads as well: left to the tool
        {"type": "string", "pattern": "^[^A-Za-z]*[^\\x00-\\x7f][^A-Za-z]*$"},
    ]
}

#: One day, such as a plan's own start or end.
Day = Annotated[
    dt.date,
    BeforeValidator(_to_day),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": "[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}",
            "description": "a day written as YYYY-MM-DD, e.g. 2022-04-01",
        }
    ),
]

_AS_WRITTEN = 'A date as written: "2023-03-31", "March 2023", "2022/23", "2022/24", "Q3 2022/23", "2023", '


def _when_text(validator: Any, description: str, numbers: dict[str, Any]) -> Any:
    """A date as written, parsed into a `When` by `validator`, written back as its text. YAML reads `2023` as a
    number, which the grammar reads as text; `numbers` says which whole numbers can be a date as written."""
    return Annotated[
        When,
        BeforeValidator(validator),
        PlainSerializer(lambda when: when.text, return_type=str),
        WithJsonSchema(
            {
                "anyOf": [{"type": "string", "pattern": f"[^{PY_SPACE}]"}, {"type": "integer", **numbers}],
                "description": _AS_WRITTEN + description,
            }
        ),
    ]


#: A deadline or period as written ("2022/23", "March 2023", "ongoing"), parsed into a `When`.
#: As a number: a year ("2023", or "0999" which YAML reads as 999).
WhenText = _when_text(_to_when, '"ongoing", "quarterly", "annual".', {"minimum": 1, "maximum": 9999})

#: A deadline: a date as written, or one of the plan's deadline codes (see `Plan.deadline_codes`), which may be a
#: number of any size.
DeadlineText = _when_text(_to_deadline, '"ongoing", "quarterly", "annual", or one of the plan\'s deadline_codes.', {})

Text = Annotated[str, StringConstraints(min_length=1)]
SLUG_PATTERN = r"^[a-z0-9][a-z0-9-]*$"
#: a GitHub username: letters, digits and single hyphens inside, at most 39 characters
GITHUB_USER_PATTERN = r"^[A-Za-z0-9](?:-?[A-Za-z0-9]){0,38}$"
#: where a published report lives: an http(s) address
SITE_URL_PATTERN = r"^https?://[A-Za-z0-9.-]+(?::[0-9]+)?(?:/[A-Za-z0-9._~%!$&'()*+,;=:@/-]*)?$"
ACTION_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9.\-_]*$"
Slug = Annotated[
    str,
    StringConstraints(pattern=SLUG_PATTERN, max_length=80),
    Field(description="lower-case letters, digits and hyphens, e.g. regulatory-services"),
]
ActionId = Annotated[
    str,
    StringConstraints(pattern=ACTION_ID_PATTERN, max_length=20),
    Field(description='the plan\'s own numbering, e.g. "1.a" or "19"'),
]
Rag = Literal[RAGS]
Status = Literal[STATUSES]
Cadence = Literal[CADENCES]


class Owner(Strict):
    """A team, a named person or a partner organisation that delivers actions."""

    id: Slug
    name: Text
    kind: Literal[OWNER_KINDS]
    contact: str | None = None
    aliases: list[Text] = Field(default_factory=list, description="other spellings of the name found in plans")
    github: Annotated[str, StringConstraints(pattern=GITHUB_USER_PATTERN, max_length=39)] | None = Field(
        None,
        description="the owner's username on GitHub (or the forge's), to whom the reminders workflow assigns their "
        "issue of updates due, e.g. jsmith-council",
    )


class OwnersFile(Strict):
    """`plans/owners.yaml`: the registry that action owners refer to by id."""

    owners: list[Owner] = Field(default_factory=list)


class Priority(Strict):
    id: Annotated[str, StringConstraints(min_length=1, max_length=20)]
    title: Text
    description: str | None = None


class Plan(Strict):
    """`plans/<slug>/plan.yaml`: the plan as a whole."""

    title: Text
    organisation: str | None = None
    period: WhenText | None = Field(None, description='as written, e.g. "2022/23" or "2021 – 2023"')
    starts: Day | None = Field(None, description="overrides the start derived from period")
    ends: Day | None = Field(None, description="overrides the end derived from period")
    reporting: Cadence = "quarterly"
    source: str | None = Field(None, description="where the plan came from, e.g. the published document")
    priorities: list[Priority] = Field(default_factory=list)
    deadline_codes: dict[Annotated[str, StringConstraints(pattern=r"^\S(.{0,18}\S)?$")], WhenText] = Field(
        default_factory=dict,
        description='the plan\'s own deadline codes and what each means, e.g. {S: "March 2020", M: "March 2021"}; '
        "an action may then write `due: S`",
    )

    @field_validator("period")
    @classmethod
    def _period_has_dates(cls, when: When | None) -> When | None:
        if when is not None and when.is_recurring:
            raise PydanticCustomError("period", f'a plan period needs dates, not "{when.text}"')
        return when

    @property
    def start_date(self) -> dt.date | None:
        return self.starts or (self.period.start if self.period else None)

    @property
    def end_date(self) -> dt.date | None:
        return self.ends or (self.period.end if self.period else None)


class Milestone(Strict):
    text: Text
    due: DeadlineText | None = None
    done: bool = False


class Target(Strict):
    """A KPI target: its text as written, and the number in it where there is one."""

    text: Text
    id: Slug | None = Field(None, description="the key its actuals use in updates; defaults to the unit")
    value: float | None = None
    unit: str | None = None
    direction: Literal["increase", "decrease"] | None = None
    baseline: float | None = None

    @model_validator(mode="after")
    def _read_text(self) -> Target:
        parsed = parse_target(self.text)
        if self.value is None and parsed.value is not None:
            self.value = parsed.value
            self.unit = self.unit or parsed.unit
        if self.direction is None:
            self.direction = parsed.direction  # type: ignore[assignment]
        return self

    @property
    def is_placeholder(self) -> bool:
        return self.value is None and parse_target(self.text).placeholder

    @property
    def key(self) -> str | None:
        """The name of this target's actuals in updates: its id, else its unit ("percent" for a percentage)."""
        return self.id or ("percent" if self.unit == "%" else self.unit)


class Update(Strict):
    """One reporting period's progress note."""

    period: WhenText = Field(description='the reporting period, e.g. "2022/23 Q2"')
    date: dt.date | None = Field(None, description="when the update was written")
    rag: Rag | None = None
    status: Status | None = None
    note: str | None = None
    actuals: dict[str, float] = Field(default_factory=dict, description="KPI actuals, by target id or unit")
    by: str | None = Field(None, description="who wrote the update")


class LintSettings(Strict):
    """Per-action suppression: `lint: {ignore: [rule-name], reason: "..."}`. The reason is required."""

    ignore: list[Text] = Field(min_length=1, description="rule names or codes not to report for this action")
    reason: Text = Field(description="why these findings do not apply to this action")


class Action(Strict):
    """One action of a plan: one file under `plans/<slug>/actions/`."""

    id: ActionId
    priority: Annotated[str, StringConstraints(min_length=1, max_length=20)] | None = None
    title: Text = Field(description="the objective or the action as the plan states it")
    what: str | None = Field(None, description='"What we will do", where the plan has that column')
    owners: list[Slug] = Field(default_factory=list, description="owner ids from plans/owners.yaml")
    partners: list[Slug] = Field(default_factory=list)
    due: DeadlineText | None = None
    due_as_written: str | None = Field(
        None,
        description="a deadline as the source plan wrote it when it is not a date actiontrack reads "
        "(kept by import; lint reports it until `due:` says when)",
    )
    milestones: list[Milestone] = Field(default_factory=list)
    targets: list[Target] = Field(default_factory=list)
    outcome: str | None = None
    status: Status | None = Field(None, description="absent means not recorded")
    updates: list[Update] = Field(default_factory=list)
    lint: LintSettings | None = None


class LintConfig(Strict):
    """The `lint:` section of actiontrack.yaml."""

    rules: dict[str, str | dict[str, Any]] = Field(
        default_factory=dict,
        description='per rule (name or code): "off", a severity ("error", "warning", "info"), '
        "or a mapping with `severity` and the rule's options",
    )
    ignore: dict[str, list[str]] = Field(
        default_factory=dict, description="per path: a glob (relative to the repository) -> rule names not to report"
    )


class ReportSettings(Strict):
    title: str | None = None
    show_authors: bool = Field(
        False, description="name the authors of changes on the published site (their commit names are personal data)"
    )
    site_url: Annotated[str, StringConstraints(pattern=SITE_URL_PATTERN)] | None = Field(
        None,
        description="where the HTML report is published, e.g. https://council.github.io/plans/: calendar events link "
        "to each action's page there, and the site gives the full address to subscribe to its calendars",
    )

    @property
    def site_base(self) -> str | None:
        """`site_url` ending with one slash, so page paths can follow it."""
        return self.site_url.rstrip("/") + "/" if self.site_url else None


class Config(Strict):
    """`actiontrack.yaml` at the top of a plans repository. Every key is optional."""

    plans: str = Field("plans", description="the folder holding the plans, relative to this file")
    financial_year_start: Annotated[int, WithJsonSchema(MONTH_JSON_SCHEMA)] = Field(
        DEFAULT_FY_START, description='first month of the financial year: a number or a name such as "April"'
    )
    due_soon_days: int = Field(30, ge=0, le=366, description="how near a deadline counts as due soon")
    update_due_days: int = Field(
        14,
        ge=0,
        le=366,
        description='how many days after a reporting period ends its update is due (the "update due" date of '
        "calendars and digests)",
    )
    report: ReportSettings = Field(default_factory=ReportSettings)
    baseline: str | None = Field(
        None,
        description="the git revision of the plan as agreed (e.g. a tag such as plan-approved), against which moved "
        "deadlines are judged; default: the commit that first added each action",
    )
    lint: LintConfig = Field(default_factory=LintConfig, description="lint rule settings; see `actiontrack rules`")

    @field_validator("financial_year_start", mode="before")
    @classmethod
    def _month(cls, value: Any) -> int:
        try:
            return parse_month(value)
        except DateError as error:
            raise PydanticCustomError("month", str(error)) from None
