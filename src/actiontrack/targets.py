"""Reading a KPI target written in words: "10 x volunteers", "75% of schools", "2,000 individual participants".

A target is measurable when its text starts with a number (after an optional verb such as "increase to").
Its unit is the noun after the number ("%" for a percentage); its direction is "increase" unless the text says
decrease or reduce, as IATI indicators record "ascending". A leading "X" where the number should be is a
placeholder that someone meant to fill in. A list's number ("1. All staff trained") is not a target's.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

_VERB = (
    r"(?:(?:increase|raise|grow|decrease|reduce|cut|lower)\w*\s+(?:to|by)\s+"
    r"|at\s+least\s+|min(?:imum)?\.?\s+|up\s+to\s+)?"
)
_NUMBER = r"(?P<number>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
_LEADING = re.compile(
    r"^\s*" + _VERB + _NUMBER + r"\s*(?P<percent>%|per\s*cent\b|percent\b)?\s*(?:x\b|×)?\s*(?P<rest>.*)$",
    re.IGNORECASE,
)
# "1. All staff trained", "2) Policy agreed": a list's number, not a target's
_LIST_NUMBER = re.compile(r"^\s*\(?\d{1,2}(?:\.|\))\s+")
_PLACEHOLDER = re.compile(r"^\s*(?:x|xx+|tbc|tbd|n/?a|\?+)(?:\s|$|%|/)", re.IGNORECASE)
_DECREASE = re.compile(r"\b(?:decreas|reduc|lower|fewer|less|cut)\w*", re.IGNORECASE)
# Words after which the unit's noun phrase has ended: "2,000 participants accessing the programme".
_STOP = re.compile(
    r"\s+(?:of|in|on|at|for|from|per|a|an|each|every|by|to|with|who|that|which|across|accessing|attending|using|engaged)\b|[,;:(/]\s|\s/",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class ParsedTarget:
    value: float | None
    unit: str | None
    direction: str  # "increase" | "decrease"
    placeholder: bool


def parse_target(text: str) -> ParsedTarget:
    """What a target's text says about its value, unit and direction."""
    direction = "decrease" if _DECREASE.search(text) else "increase"
    listed = _LIST_NUMBER.match(text)
    match = _LEADING.match(text[listed.end() :] if listed else text)
    if not match:
        return ParsedTarget(None, None, direction, placeholder=bool(_PLACEHOLDER.match(text)))
    number = float(match["number"].replace(",", ""))
    if not math.isfinite(number):  # hundreds of digits: no target, and JSON has no Infinity
        return ParsedTarget(None, None, direction, placeholder=False)
    if match["percent"]:
        unit: str | None = "%"
    else:
        phrase = _STOP.split(match["rest"], maxsplit=1)[0].strip(" .").replace("'", "").replace('"', "")
        phrase = phrase.translate(str.maketrans("", "", "\u2018\u2019\u201c\u201d"))
        words = phrase.split()
        # "individual participants" -> "participants"; keep a slash pair whole: "campaigns/interventions".
        unit = " ".join(words[-2:]) if len(words) == 2 and words[0].endswith("s") else (words[-1] if words else None)
    return ParsedTarget(number, unit, direction, placeholder=False)
