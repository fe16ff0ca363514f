"""The words plan files and commands share, defined once: the model validates them, derive orders them, and the
command line offers them as choices. Nothing here imports anything, so the command line can read it at start-up."""

from __future__ import annotations

#: A reporting period's rating, as written in files; `--rag` takes the same words (any case).
RAGS = ("green", "amber", "red")
#: The same, worst first: the order of counts and charts.
RAGS_WORST_FIRST = ("red", "amber", "green")
#: The same, as people read them (the HTML report): sentence case, like every other tag.
RAG_LABELS: dict[str, str] = {"red": "Red", "amber": "Amber", "green": "Green"}
#: An action's recorded status (absent: not recorded).
STATUSES = ("not-started", "in-progress", "complete", "cancelled")
#: The same, as people read them (the HTML report).
STATUS_LABELS: dict[str, str] = {
    "not-started": "Not started",
    "in-progress": "In progress",
    "complete": "Complete",
    "cancelled": "Cancelled",
}
#: How often a plan reports.
CADENCES = ("monthly", "quarterly", "half-yearly", "annual")
#: What an owner is.
OWNER_KINDS = ("team", "person", "partner")
#: Where an action stands on a date (derive decides), most urgent first, with the words people read.
STATES: dict[str, str] = {
    "overdue": "Overdue",
    "at-risk": "At risk",
    "due-soon": "Due soon",
    "not-reported": "Not reported",
    "not-started": "Not started",
    "on-track": "On track",
    "complete": "Complete",
    "cancelled": "Cancelled",
}
