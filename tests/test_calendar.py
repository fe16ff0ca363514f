"""`actiontrack calendar` and the site's feeds: every calendar read back by two independent parsers (icalendar and
vobject), UIDs unique and stable (across runs, and across a moved deadline, which raises SEQUENCE), RFC 5545 escaping
and folding of hostile text, byte-identical output, did-you-mean for an unknown owner or plan.

RFC 5545 §3.1 (content lines of at most 75 octets, folded with CRLF and a space) and §3.3.11 (TEXT: backslash,
semicolon, comma and newline escaped) are the rules checked; tests/fixtures/calendars/README.md cites them."""

from __future__ import annotations

import textwrap
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import icalendar
import pytest
import vobject
from typer.testing import CliRunner

from actiontrack.calendars import all_events, feed_for, history_for, to_ical, uid_domain
from actiontrack.cli import app
from actiontrack.derive import derive
from actiontrack.load import load_workspace

from .conftest import BUNDLED_PLANS, assert_same_output, runs_under_each_seed
from .gitbuild import OWNERS, PLAN, Repo, action, write

AS_OF = "2023-06-30"


def run(*args: str):
    result = CliRunner().invoke(app, list(args))
    assert "Traceback" not in result.output, result.output
    return result


def calendar_bytes(*args: str) -> bytes:
    result = CliRunner().invoke(app, ["calendar", *args, "--out", "-"])
    assert result.exit_code == 0, result.output
    return result.stdout_bytes


def both_parsers(data: bytes) -> list[dict]:
    """Each VEVENT as icalendar reads it, checked field by field against what vobject reads: two parsers, one
    answer. Returns icalendar's reading as plain data."""
    parsed = icalendar.Calendar.from_ical(data)
    ours = [
        {
            "uid": str(e["UID"]),
            "start": e.decoded("DTSTART"),
            "end": e.decoded("DTEND"),
            "summary": str(e["SUMMARY"]),
            "description": str(e["DESCRIPTION"]),
            "sequence": int(e["SEQUENCE"]),
            "modified": e.decoded("LAST-MODIFIED"),
            "stamp": e.decoded("DTSTAMP"),
            "status": str(e["STATUS"]) if "STATUS" in e else None,
            "url": str(e["URL"]) if "URL" in e else None,
            "alarms": [a.decoded("TRIGGER") for a in e.walk("VALARM")],
        }
        for e in parsed.walk("VEVENT")
    ]
    theirs = vobject.readOne(data.decode("utf-8"))
    events = list(getattr(theirs, "vevent_list", []))
    assert len(events) == len(ours)
    for mine, other in zip(ours, events, strict=True):
        assert other.uid.value == mine["uid"]
        assert other.dtstart.value == mine["start"] and other.dtend.value == mine["end"]
        assert isinstance(mine["start"], date) and not isinstance(mine["start"], datetime)  # all-day
        assert mine["end"] - mine["start"] == timedelta(days=1)
        assert other.summary.value == mine["summary"]
        assert other.description.value == mine["description"]
        assert int(other.sequence.value) == mine["sequence"]
        assert other.dtstamp.value == mine["stamp"] == mine["modified"]
        assert mine["stamp"].tzinfo is not None and mine["stamp"].utcoffset() == timedelta(0)
        assert [a.trigger.value for a in getattr(other, "valarm_list", [])] == mine["alarms"]
    return ours


def physical_lines(data: bytes) -> list[bytes]:
    assert data.endswith(b"\r\n")
    lines = data.split(b"\r\n")[:-1]
    assert all(b"\n" not in line and b"\r" not in line for line in lines)  # CRLF only, never a bare LF
    return lines


# ---- the bundled plans ----------------------------------------------------------------------------------------


def test_bundled_calendar_reads_back_with_both_parsers_and_uids_are_unique():
    data = calendar_bytes(str(BUNDLED_PLANS), "--as-of", AS_OF)
    events = both_parsers(data)
    uids = [e["uid"] for e in events]
    assert len(uids) == len(set(uids)) == 61
    assert all(uid.endswith("@actiontrack") for uid in uids)
    # an action's deadline: "2022/23" is 2023-03-31
    deadline = next(e for e in events if e["uid"] == "health-wellbeing-2022-23/1.c/deadline@actiontrack")
    assert deadline["start"] == date(2023, 3, 31)
    assert deadline["summary"].startswith("Deadline 1.c: Support vulnerable adults")
    assert "Health & Wellbeing Strategy Action Plan 2022/23" in deadline["description"]
    # the update due 14 days after each quarter of the plan ends
    due = [e for e in events if "/update-due/" in e["uid"] and e["uid"].startswith("health-wellbeing")]
    assert [e["start"] for e in due] == [date(2022, 7, 14), date(2022, 10, 14), date(2023, 1, 14), date(2023, 4, 14)]
    assert 'actiontrack update ID --plan health-wellbeing-2022-23 --period "2022/23 Q1"' in due[0]["description"]
    # events in date order
    assert [e["start"] for e in events] == sorted(e["start"] for e in events)
    assert all(len(line) <= 75 for line in physical_lines(data))


def test_uids_are_the_same_on_every_run_and_the_output_byte_identical(tmp_path):
    """Separate uncached processes under different hash seeds: the same bytes (so the same UIDs, stamps, order)."""
    args = ["calendar", str(BUNDLED_PLANS), "--as-of", AS_OF, "--alarm-days", "7", "--out", "-"]
    first = assert_same_output(runs_under_each_seed(args, tmp_path))
    assert first.startswith(b"BEGIN:VCALENDAR\r\n") and first.count(b"BEGIN:VEVENT") == 61
    assert first == calendar_bytes(str(BUNDLED_PLANS), "--as-of", AS_OF, "--alarm-days", "7")  # and in-process
    # the judging date changes no event: none says how the action stands on that day
    assert calendar_bytes(str(BUNDLED_PLANS), "--as-of", "2023-01-01") == calendar_bytes(
        str(BUNDLED_PLANS), "--as-of", AS_OF
    )


def test_an_owner_and_a_plan_feed(tmp_path):
    owner = both_parsers(calendar_bytes(str(BUNDLED_PLANS), "--as-of", AS_OF, "--owner", "regulatory-services"))
    assert owner and all("Regulatory Services" in e["description"] for e in owner if "/update-due/" not in e["uid"])
    plans = {e["uid"].split("/")[0] for e in owner}
    leads = {
        a.plan.slug
        for a in derive(load_workspace([BUNDLED_PLANS]), date(2023, 6, 30)).actions
        if "regulatory-services" in a.action.owners
    }
    # update due days only of the plans the owner leads an action in
    assert {e["uid"].split("/")[0] for e in owner if "/update-due/" in e["uid"]} == leads == plans
    plan = both_parsers(calendar_bytes(str(BUNDLED_PLANS), "--as-of", AS_OF, "--plan", "health-inequalities-2021-23"))
    assert plan and all(e["uid"].startswith("health-inequalities-2021-23/") for e in plan)
    out = tmp_path / "p.ics"
    result = run(
        "calendar", str(BUNDLED_PLANS), "--as-of", AS_OF, "--plan", "health-inequalities-2021-23", "--out", str(out)
    )
    assert result.exit_code == 0 and f"wrote {len(plan)} events to {out}" in result.stderr
    name = icalendar.Calendar.from_ical(out.read_bytes())["X-WR-CALNAME"]
    assert str(name) == "2021 – 2023 Health Inequalities Action Plan"


@pytest.mark.parametrize(
    ("option", "value", "expected"),
    [
        (
            "--owner",
            "regulatry-services",
            '--owner: no owner "regulatry-services"; did you mean "regulatory-services"?',
        ),
        (
            "--plan",
            "health-wellbeing-2022",
            '--plan: no plan "health-wellbeing-2022"; did you mean "health-wellbeing-2022-23"?',
        ),
    ],
)
def test_unknown_owner_or_plan_is_a_usage_error_with_did_you_mean(option, value, expected, tmp_path):
    out = tmp_path / "x.ics"
    result = run("calendar", str(BUNDLED_PLANS), option, value, "--out", str(out))
    assert result.exit_code == 2
    assert expected in result.stderr
    assert not out.exists()


def test_alarm_days(tmp_path):
    events = both_parsers(calendar_bytes(str(BUNDLED_PLANS), "--as-of", AS_OF, "--alarm-days", "3"))
    assert all(e["alarms"] == [timedelta(days=-3)] for e in events)
    assert all(e["alarms"] == [] for e in both_parsers(calendar_bytes(str(BUNDLED_PLANS), "--as-of", AS_OF)))
    assert run("calendar", str(BUNDLED_PLANS), "--alarm-days", "-1", "--out", str(tmp_path / "x.ics")).exit_code == 2


# ---- closed actions, milestones, site links -------------------------------------------------------------------

CLOSED_PLAN = {
    "plans/owners.yaml": OWNERS.replace("    kind: team\n", "    kind: team\n", 1),
    "plans/p/plan.yaml": PLAN,
    "plans/p/actions/1.a-homes.yaml": action(
        "1.a",
        "Build homes",
        '"March 2023"',
        extra='milestones:\n  - text: Find a site\n    due: "June 2022"\n    done: true\n'
        '  - text: Planning permission\n    due: "September 2022"\n  - text: No date yet\n',
    ),
    "plans/p/actions/1.b-advice.yaml": action("1.b", "Housing advice", '"2022/23"', extra="status: complete\n"),
    "plans/p/actions/2.a-parks.yaml": action(
        "2.a",
        "Parks for all",
        '"December 2022"',
        "[leisure]",
        priority="2",
        extra="status: cancelled\npartners: [housing]\n",
    ),
}


def test_complete_and_cancelled_actions_and_done_milestones_are_left_out_unless_asked_for(tmp_path):
    root = write(tmp_path / "r", CLOSED_PLAN)
    default = both_parsers(calendar_bytes(str(root / "plans"), "--as-of", AS_OF))
    assert [e["uid"].split("@")[0] for e in default if "/update-due/" not in e["uid"]] == [
        "p/1.a/milestone-"
        + next(e["uid"] for e in default if "Planning permission" in e["summary"]).split("milestone-")[1].split("@")[0],
        "p/1.a/deadline",
    ]
    assert not any("Find a site" in e["summary"] or "No date yet" in e["summary"] for e in default)
    everything = both_parsers(calendar_bytes(str(root / "plans"), "--as-of", AS_OF, "--include-closed"))
    summaries = {e["summary"]: e for e in everything}
    assert "Deadline 1.b: Housing advice (complete)" in summaries
    assert "Milestone 1.a: Find a site (done)" in summaries
    cancelled = summaries["Deadline 2.a: Parks for all (cancelled)"]
    assert cancelled["status"] == "CANCELLED" and summaries["Deadline 1.b: Housing advice (complete)"]["status"] is None
    # a partner sees the action too; the update due days only where the owner leads an open action
    housing = both_parsers(
        calendar_bytes(str(root / "plans"), "--as-of", AS_OF, "--owner", "housing", "--include-closed")
    )
    assert any(e["summary"].startswith("Deadline 2.a") for e in housing)
    leisure = both_parsers(
        calendar_bytes(str(root / "plans"), "--as-of", AS_OF, "--owner", "leisure", "--include-closed")
    )
    assert [e["summary"] for e in leisure] == ["Deadline 2.a: Parks for all (cancelled)"]


def test_site_url_links_each_event_to_its_page_and_names_the_uids(tmp_path):
    root = write(tmp_path / "r", CLOSED_PLAN)
    (root / "actiontrack.yaml").write_text(
        "report:\n  site_url: https://council.github.io/plans\nupdate_due_days: 10\n"
    )
    events = both_parsers(calendar_bytes(str(root / "plans"), "--as-of", AS_OF))
    deadline = next(e for e in events if e["uid"] == "p/1.a/deadline@council.github.io/plans")
    assert deadline["url"] == "https://council.github.io/plans/plans/p/actions/1.a.html"
    assert deadline["description"].endswith("Its page: https://council.github.io/plans/plans/p/actions/1.a.html")
    due = [e for e in events if "/update-due/" in e["uid"]]
    assert due[0]["start"] == date(2022, 7, 10)  # 30 June plus update_due_days: 10
    assert due[0]["url"] == "https://council.github.io/plans/plans/p/index.html"


# ---- hostile text ---------------------------------------------------------------------------------------------

HOSTILE_TITLE = "Homes, roads; and bridges: a \\ backslash, Cymraeg ŵ ŷ, 日本語, emoji 🏠 " + "very long " * 20
HOSTILE = {
    "plans/owners.yaml": OWNERS,
    "plans/p/plan.yaml": PLAN,
    "plans/p/actions/1.a-homes.yaml": textwrap.dedent(
        f"""\
        id: "1.a"
        priority: "1"
        title: "{HOSTILE_TITLE.replace(chr(92), chr(92) * 2)}"
        what: |
          Line one, with a comma; and a semicolon.
          Line two: «quotes» and "double quotes".
          BEGIN:VEVENT
          END:VCALENDAR
        owners: [housing]
        due: "March 2023"
        """
    ),
}


def test_hostile_text_is_escaped_and_folded_as_rfc_5545_requires(tmp_path):
    root = write(tmp_path / "r", HOSTILE)
    data = calendar_bytes(str(root / "plans"), "--as-of", AS_OF, "--alarm-days", "1")
    lines = physical_lines(data)
    assert all(len(line) <= 75 for line in lines), max(lines, key=len)
    assert any(line.startswith(b" ") for line in lines)  # folded: a continuation starts with one space
    for line in lines:  # a fold never splits a UTF-8 character: every physical line decodes on its own
        line.decode("utf-8")
    unfolded = data.replace(b"\r\n ", b"")
    summary = next(line for line in unfolded.split(b"\r\n") if line.startswith(b"SUMMARY:Deadline"))
    assert b"Homes\\, roads\\; and bridges: a \\\\ backslash\\, Cymraeg" in summary
    description = next(line for line in unfolded.split(b"\r\n") if line.startswith(b"DESCRIPTION:Action 1.a"))
    assert b"\\nWhat we will do: Line one\\, with a comma\\; and a semicolon.\\nLine two:" in description
    # the text inside cannot start or end a component: only the real ones stand at the start of a line
    assert [line for line in lines if line in (b"BEGIN:VEVENT", b"END:VCALENDAR")] == [b"BEGIN:VEVENT"] * 5 + [
        b"END:VCALENDAR"
    ]
    # the calendar is put together from events serialised one by one: the bytes icalendar writes for the whole
    assert icalendar.Calendar.from_ical(data).to_ical() == data
    events = both_parsers(data)
    deadline = next(e for e in events if e["uid"] == "p/1.a/deadline@actiontrack")
    assert deadline["summary"] == f"Deadline 1.a: {HOSTILE_TITLE.strip()}"
    assert (
        'Line one, with a comma; and a semicolon.\nLine two: «quotes» and "double quotes".\nBEGIN:VEVENT\nEND:VCALENDAR'
        in deadline["description"]
    )


# ---- stable UIDs, SEQUENCE and LAST-MODIFIED from git ---------------------------------------------------------


def feed(root: Path) -> dict[str, dict]:
    return {e["uid"]: e for e in both_parsers(calendar_bytes(str(root / "plans"), "--as-of", AS_OF))}


def test_a_moved_deadline_keeps_its_uid_with_a_higher_sequence(tmp_path):
    repo = Repo(tmp_path / "repo")
    a = "plans/p/actions/"
    base = {"plans/owners.yaml": OWNERS, "plans/p/plan.yaml": PLAN}
    milestone = 'milestones:\n  - text: Open the advice line\n    due: "June 2022"\n'
    repo.commit(
        "2022-04-05",
        "Alice Archer",
        "Plan as approved",
        {
            **base,
            a + "1.a-homes.yaml": action("1.a", "Build homes"),
            a + "1.b-advice.yaml": action("1.b", "Advice", '"2022/23"', extra=milestone),
        },
    )
    first = feed(repo.path)
    deadline = "p/1.a/deadline@actiontrack"
    assert first[deadline]["sequence"] == 0 and first[deadline]["start"] == date(2023, 3, 31)
    approved = datetime(2022, 4, 5, 10, tzinfo=UTC)
    assert {e["modified"] for e in first.values()} == {approved}
    assert feed(repo.path) == first  # the same again

    repo.commit(
        "2022-06-10", "Bob Baker", "1.a slips", {a + "1.a-homes.yaml": action("1.a", "Build homes", '"June 2023"')}
    )
    moved = feed(repo.path)
    assert set(moved) == set(first)  # the same UIDs: the event moves, no second one appears
    assert moved[deadline]["start"] == date(2023, 6, 30) and moved[deadline]["sequence"] == 1
    assert moved[deadline]["modified"] == datetime(2022, 6, 10, 10, tzinfo=UTC)
    for uid in set(first) - {deadline}:  # nothing else changed
        assert moved[uid] == first[uid], uid

    # a change of wording is a change of the event, but not of its date: LAST-MODIFIED moves, SEQUENCE does not
    repo.commit(
        "2022-07-01",
        "Bob Baker",
        "1.a reworded",
        {a + "1.a-homes.yaml": action("1.a", "Build new homes", '"June 2023"')},
    )
    reworded = feed(repo.path)
    assert reworded[deadline]["sequence"] == 1 and reworded[deadline]["summary"] == "Deadline 1.a: Build new homes"
    assert reworded[deadline]["modified"] == datetime(2022, 7, 1, 10, tzinfo=UTC)
    # a commit that changes another file of the action but not what the event shows changes nothing
    repo.commit(
        "2022-07-20",
        "Alice Archer",
        "Q1 update",
        {
            a + "1.a-homes.yaml": action(
                "1.a", "Build new homes", '"June 2023"', extra='updates:\n  - period: "2022/23 Q1"\n    rag: green\n'
            )
        },
    )
    assert feed(repo.path)[deadline] == reworded[deadline]
    # the milestone moves: same UID, its own SEQUENCE
    milestone_uid = next(uid for uid in first if "/1.b/milestone-" in uid)
    repo.commit(
        "2022-08-01",
        "Alice Archer",
        "advice line later",
        {a + "1.b-advice.yaml": action("1.b", "Advice", '"2022/23"', extra=milestone.replace("June", "August"))},
    )
    later = feed(repo.path)
    assert later[milestone_uid]["start"] == date(2022, 8, 31) and later[milestone_uid]["sequence"] == 1
    # moved back and forth: each move counts
    repo.commit(
        "2022-09-01",
        "Bob Baker",
        "1.a back to March",
        {a + "1.a-homes.yaml": action("1.a", "Build new homes", '"March 2023"')},
    )
    assert feed(repo.path)[deadline]["sequence"] == 2
    # not committed yet: one more, dated at the commit the files are at
    (repo.path / a / "1.a-homes.yaml").write_text(action("1.a", "Build new homes", '"May 2023"'))
    pending = feed(repo.path)[deadline]
    assert pending["sequence"] == 3 and pending["start"] == date(2023, 5, 31)
    assert pending["modified"] == datetime(2022, 9, 1, 10, tzinfo=UTC)


def test_plan_changes_date_the_update_due_days(tmp_path):
    repo = Repo(tmp_path / "repo")
    repo.commit(
        "2022-04-05",
        "Alice Archer",
        "Plan",
        {"plans/owners.yaml": OWNERS, "plans/p/plan.yaml": PLAN, "plans/p/actions/1.a-x.yaml": action("1.a", "X")},
    )
    before = feed(repo.path)
    q1 = "p/update-due/2022-23-q1@actiontrack"
    assert before[q1]["start"] == date(2022, 7, 14) and before[q1]["modified"] == datetime(2022, 4, 5, 10, tzinfo=UTC)
    repo.commit(
        "2022-05-01", "Bob Baker", "Renamed", {"plans/p/plan.yaml": PLAN.replace("Wellbeing Plan", "Health Plan")}
    )
    after = feed(repo.path)
    assert after[q1]["summary"] == "Update due: Health Plan 2022/23, 2022/23 Q1"
    assert after[q1]["modified"] == datetime(2022, 5, 1, 10, tzinfo=UTC) and after[q1]["sequence"] == 0
    # the action's events name the plan, so they changed then too (their date did not)
    deadline = after["p/1.a/deadline@actiontrack"]
    assert deadline["description"].startswith("Action 1.a of Health Plan 2022/23.")
    assert deadline["modified"] == datetime(2022, 5, 1, 10, tzinfo=UTC) and deadline["sequence"] == 0
    repo.commit(
        "2022-05-02",
        "Bob Baker",
        "Owners",
        {"plans/owners.yaml": OWNERS + "  - id: extra\n    name: Extra\n    kind: team\n"},
    )
    assert feed(repo.path) == after  # a commit that changes no event changes no stamp


def test_without_git_the_files_give_the_time_and_sequence_is_zero(tmp_path):
    files = dict(HOSTILE)
    files["plans/p/actions/1.a-homes.yaml"] += 'updates:\n  - period: "2022/23 Q1"\n    date: 2022-07-12\n'
    root = write(tmp_path / "r", files)
    events = feed(root)
    assert all(e["sequence"] == 0 for e in events.values())
    assert events["p/1.a/deadline@actiontrack"]["modified"] == datetime(2022, 7, 12, tzinfo=UTC)  # its latest update
    assert events["p/update-due/2022-23-q1@actiontrack"]["modified"] == datetime(2022, 4, 1, tzinfo=UTC)  # plan start


def test_the_library_builds_the_same_feed_as_the_command():
    workspace = load_workspace([BUNDLED_PLANS])
    snapshot = derive(workspace, date(2023, 6, 30))
    events = all_events(snapshot, *history_for(workspace))
    data = to_ical(feed_for(snapshot, events), uid_domain(workspace))
    assert data == calendar_bytes(str(BUNDLED_PLANS), "--as-of", AS_OF)
