"""derive(): state, RAG, staleness and KPI progress as of a date — the one place they are computed."""

from datetime import date

import pytest

from actiontrack.derive import derive, last_ended_period
from actiontrack.load import load_workspace
from actiontrack.model import Plan

ACTION_PATH = "plans/test-plan/actions/1.a-promote.yaml"
BASE = 'id: "1.a"\npriority: "1"\ntitle: A\nowners: [planning-policy]\n'


def derived(make_repo, body: str, as_of: date):
    workspace = load_workspace([], cwd=make_repo({ACTION_PATH: BASE + body}))
    assert workspace.problems == []
    [action] = derive(workspace, as_of).actions
    return action


@pytest.mark.parametrize(
    ("body", "as_of", "state"),
    [
        ('due: "2022/23"\n', date(2023, 6, 30), "overdue"),
        ('due: "2022/23"\n', date(2023, 3, 31), "due-soon"),  # due today is not yet overdue
        ('due: "2022/23"\n', date(2023, 3, 1), "due-soon"),  # 30 days ahead
        ('due: "2022/23"\n', date(2023, 2, 28), "not-reported"),
        ('due: "2022/23"\nstatus: complete\n', date(2023, 6, 30), "complete"),
        ('due: "2022/23"\nstatus: cancelled\n', date(2023, 6, 30), "cancelled"),
        ('due: "2022/23"\nstatus: in-progress\n', date(2022, 6, 30), "on-track"),
        ('due: "2022/23"\nstatus: not-started\n', date(2022, 6, 30), "not-started"),
        ('due: "2022/23"\nupdates:\n  - period: "2022/23 Q1"\n    rag: red\n', date(2022, 7, 5), "at-risk"),
        ('due: "2022/23"\nupdates:\n  - period: "2022/23 Q1"\n    rag: amber\n', date(2022, 7, 5), "at-risk"),
        (
            'due: "2022/23"\nupdates:\n  - period: "2022/23 Q1"\n    rag: green\n',
            date(2022, 7, 5),
            "on-track",
        ),
        (
            'due: "2022/23"\nupdates:\n  - period: "2022/23 Q1"\n    note: begun\n',
            date(2022, 7, 5),
            "not-started",
        ),
        ('due: "ongoing"\n', date(2030, 1, 1), "not-reported"),  # a recurring deadline is never overdue
        ("", date(2030, 1, 1), "not-reported"),
        (
            'due: "2022/23"\nupdates:\n  - period: "2022/23 Q3"\n    status: complete\n',
            date(2023, 6, 30),
            "complete",
        ),
    ],
)
def test_state(make_repo, body, as_of, state):
    assert derived(make_repo, body, as_of).state == state


def test_due_date_and_days_left(make_repo):
    action = derived(make_repo, 'due: "October 2022"\n', date(2022, 10, 1))
    assert action.due_date == date(2022, 10, 31)
    assert action.days_left == 30
    assert derived(make_repo, 'due: "October 2022"\n', date(2022, 11, 10)).days_left == -10


def test_latest_rag_is_the_latest_period_not_the_last_written(make_repo):
    body = (
        'updates:\n  - period: "2022/23 Q2"\n    rag: amber\n'
        '  - period: "2022/23 Q1"\n    rag: green\n'  # written late, about an earlier period
    )
    action = derived(make_repo, body, date(2022, 10, 5))
    assert action.rag == "amber"
    assert action.latest.period.text == "2022/23 Q2"


@pytest.mark.parametrize(
    ("body", "as_of", "stale", "last"),
    [
        ("", date(2023, 6, 30), True, "2022/23 Q4"),  # no update at all
        ('updates:\n  - period: "2022/23 Q4"\n', date(2023, 6, 30), False, "2022/23 Q4"),
        ('updates:\n  - period: "2022/23 Q3"\n', date(2023, 6, 30), True, "2022/23 Q4"),
        ('updates:\n  - period: "2022/23 Q3"\n', date(2023, 3, 31), False, "2022/23 Q3"),  # Q4 ends today
        ('updates:\n  - period: "2022/23 Q3"\n', date(2023, 4, 1), True, "2022/23 Q4"),
        ("status: complete\n", date(2023, 6, 30), False, "2022/23 Q4"),
        ("status: not-started\n", date(2023, 6, 30), False, "2022/23 Q4"),
        ("status: in-progress\n", date(2023, 6, 30), True, "2022/23 Q4"),
    ],
)
def test_staleness(make_repo, body, as_of, stale, last):
    action = derived(make_repo, body, as_of)
    assert action.stale is stale
    assert action.last_period.label == last


def test_no_reporting_period_before_the_plan_starts():
    plan = Plan.model_validate({"title": "T", "period": "2022/23"})
    assert last_ended_period(plan, date(2022, 5, 1), 4) is None
    assert last_ended_period(plan, date(2022, 7, 1), 4).label == "2022/23 Q1"
    # after the plan ends, the last period is the plan's last one
    assert last_ended_period(plan, date(2025, 1, 1), 4).label == "2022/23 Q4"


def test_kpi_progress(make_repo):
    body = (
        "targets:\n  - text: 10 x volunteers\n  - text: Fewer than 5 complaints\n    id: complaints\n"
        "    value: 5\n    direction: decrease\n  - text: X attendances\n"
        'updates:\n  - period: "2022/23 Q2"\n    actuals: {volunteers: 7, complaints: 4}\n'
        '  - period: "2022/23 Q1"\n    actuals: {volunteers: 3}\n'
    )
    volunteers, complaints, placeholder = derived(make_repo, body, date(2022, 10, 5)).kpis
    assert (volunteers.actual, volunteers.period, volunteers.ratio, volunteers.met) == (
        7,
        "2022/23 Q2",
        0.7,
        False,
    )
    assert (complaints.actual, complaints.met) == (4, True)
    assert placeholder.actual is None and placeholder.target.is_placeholder


def test_updates_about_later_periods_do_not_count_yet(make_repo):
    body = (
        'due: "2023/24"\nupdates:\n  - period: "2022/23 Q1"\n    rag: red\n    note: Stuck\n'
        '  - period: "2023/24 Q1"\n    rag: green\n    status: complete\n'
    )
    early = derived(make_repo, body, date(2022, 8, 1))
    assert (early.state, early.rag, early.latest.period.text, len(early.updates)) == ("at-risk", "red", "2022/23 Q1", 1)
    later = derived(make_repo, body, date(2023, 8, 1))
    assert (later.state, later.rag) == ("complete", "green")


def test_january_financial_year_updates_round_trip(make_repo):
    from actiontrack.edit import update_action

    repo = make_repo(
        {
            "actiontrack.yaml": "financial_year_start: January\n",
            "plans/test-plan/plan.yaml": 'title: T\nperiod: "2022"\npriorities:\n  - id: "1"\n    title: P\n',
        }
    )
    workspace = load_workspace([], cwd=repo)
    result = update_action(workspace, "1.a", "2022 Q2", rag="green")
    assert '  - period: "2022 Q2"\n' in result.after
    [action] = derive(load_workspace([], cwd=repo), date(2022, 7, 5)).actions
    assert (action.rag, action.stale, action.last_period.label) == ("green", False, "2022 Q2")


def test_attention_matches_a_managers_eye(make_repo):
    """Amber, a milestone late or due soon, a KPI behind its pace and a completed action with open steps all need
    attention, each with its reason in words; the reasons come in order of urgency."""
    from actiontrack.derive import derive
    from actiontrack.load import load_workspace
    from actiontrack.views.records import attention_text

    head = 'priority: "1"\nowners: [planning-policy]\ndue: "2022/23"\n'
    files = {
        "plans/test-plan/actions/2-amber.yaml": 'id: "2"\ntitle: A\n'
        + head
        + 'updates:\n  - period: "2022/23 Q2"\n    rag: amber\n    note: slipping\n',
        "plans/test-plan/actions/3-step.yaml": 'id: "3"\ntitle: B\n'
        + head
        + 'milestones:\n  - text: Board paper\n    due: "September 2022"\n  - text: Launch\n    due: "October 2022"\n',
        "plans/test-plan/actions/4-pace.yaml": 'id: "4"\ntitle: C\n'
        + head
        + "targets:\n  - text: 1200 x visits\n"
        + 'updates:\n  - period: "2022/23 Q2"\n    rag: green\n    actuals: {visits: 310}\n',
        "plans/test-plan/actions/5-done.yaml": 'id: "5"\ntitle: D\n'
        + head
        + "status: complete\nmilestones:\n  - text: Evaluate\n",
    }
    snapshot = derive(load_workspace([], cwd=make_repo(files)), date(2022, 10, 14))
    by_id = {a.id: a for a in snapshot.actions}
    assert by_id["2"].attention == ("amber",) and attention_text(by_id["2"]) == "rated amber"
    assert by_id["3"].attention[:1] == ("milestone-overdue",) and "milestone-due-soon" in by_id["3"].attention
    assert "a milestone is late (14 days)" in attention_text(by_id["3"])
    assert "a milestone is due in 17 days" in attention_text(by_id["3"])
    [kpi] = by_id["4"].kpis
    assert kpi.behind and round(kpi.expected) == 600  # half-way through 2022/23: 1,200 expects about 600
    assert "behind pace: 310 of 600 expected by 2022/23 Q2" in attention_text(by_id["4"])
    assert by_id["5"].attention == ("open-milestones",)
    order = [a.id for a in snapshot.needs_attention()]
    assert order.index("3") < order.index("4") < order.index("2")  # a late step, then the pace, then amber
