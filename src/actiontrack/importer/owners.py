"""Who delivers an action: owner cells split into names, matched to the registry, new names proposed.

A cell is read the way a person reads it:
- names the registry knows (and their aliases, such as an acronym) are found first, longest first, so a name that
  holds a separator ("Fire and Rescue Service", "Planning/Housing") is never cut;
- "Department of Health and Social Care (DHSC)": a name with its acronym in brackets is one owner, and the
  acronym becomes its alias, so a later cell that says just "DHSC" names the same owner;
- the rest is split at / ; , newlines and `--owner-separator`, and at " and ", " & " or a full stop only
  between names that each stand alone (no one-word fragment such as "Health" of "Health and Wellbeing Board", no
  fragment that ends in "of" or starts in lower case, no bracketed acronym left without its name, and no known
  name that is only the start of a longer one: "Public Health and Research").
A proposed owner is a `person` only when the name reads as a person's (a title such as Cllr or Dr, an initial and
a surname, or a common first name and a surname); organisations outside the council are `partner`; the rest
(teams, services, systems, boards) are `team`.
"""

from __future__ import annotations

import re
import unicodedata

from ..model import Owner
from ..words import slug

_ACRONYM = re.compile(r"\(\s*([A-Z][A-Za-z&]{1,11})\s*\)")
_SMALL = {"of", "for", "and", "the", "&", "in", "on", "to", "at"}
_HONORIFIC = re.compile(r"^(?:dr|cllr|councillor|mr|mrs|ms|miss|mx|prof|professor|sir|dame)\.?\s+\S", re.I)
_INITIAL = re.compile(r"^[A-Z]\.?(?:\s?[A-Z]\.?)?\s+[A-Z][a-z'’-]+$")
_PARTNER_WORDS = re.compile(
    r"\b(nhs|trust|ccg|icb|icp|ics|police|constabulary|fire|rescue|university|college|department|dept|office for|"
    r"agency|ltd|limited|cic|charity|foundation|association|society|alliance|commission|institute|ministry|"
    r"government|hospital|hospitals|pcn|gp|gps|pharmacies|pharmacy|chamber|federation|voluntary|vcse|"
    r"network|housing association|schools?|academy|academies|england|uk|ohid|dhsc|ukhsa|hmrc|dwp|dfe)\b",
    re.I,
)
_TEAM_WORDS = re.compile(
    r"\b(team|group|services?|officers?|council|partnership|board|unit|department|forum|committee|system|care|"
    r"standards|health|housing|community|communities|active|subgroup|sub-group|directorate|division|"
    r"development|planning|policy|public|children|adults?|maternity|primary|commissioning|licensing|"
    r"environmental|regulatory|education|leisure|transport|highways|economy|economic|wellbeing|safety)\b",
    re.I,
)
# Common first names in the UK (ONS baby-name lists and earlier generations): with a surname, a person's name.
_FIRST_NAMES = frozenset(
    """
    aaron abigail adam adrian aisha alan alex alexander alexandra ali alice alison amanda amber amelia amy andrea
    andrew andy angela ann anna anne anthony anya ashley barbara barry ben benjamin beth bethany bill bob brenda
    brian bruce carl carol caroline catherine charles charlie charlotte chloe chris christina christine christopher
    claire clare colin craig dan daniel danielle darren dave david dawn dean deborah debbie denise derek diane
    donna dorothy duncan edward eileen elaine eleanor elizabeth ella ellie emily emma eric fatima fiona frances
    francesca frank gail gareth gary gavin gemma geoff geoffrey george georgia gillian glen gordon graham grace
    hannah harriet harry hayley heather helen henry holly ian isabel isabella jack jackie jacqueline james jamie
    jan jane janet janice jason jay jayne jean jeff jennifer jenny jeremy jessica jill jim jo joan joanna joanne
    joe joel john jon jonathan joseph josh joshua joy judith julia julian julie justin karen kate katherine
    kathleen kathryn katie kay keith kelly kerry kevin kim kirsty laura lauren lee leanne lesley leslie liam linda
    lindsay lisa liz lorraine louise lucy luke lynn lynne maria marie mark martin mary matt matthew maureen megan
    melanie michael michelle mike mohammed muhammad nadia naomi natalie neil nicholas nick nicola nicole nigel
    oliver olivia owen pam pamela patricia paul paula pauline peter phil philip priya rachel rebecca richard rob
    robert robin rosie ruth ryan sally sam samantha samuel sandra sara sarah scott sean shaun sharon sheila simon
    sonia sophie stella stephanie stephen steve steven stuart sue susan suzanne tania tanya teresa thomas tim
    timothy tina toby tom tony tracey tracy victoria vicky wendy william yvonne zoe
    """.split()  # noqa: SIM905 - a list of words reads best as words
)


def owner_names(owners: dict[str, Owner]) -> list[tuple[str, str]]:
    """Every name and alias the registry knows, longest first, with its owner's id."""
    names = [(o.name, o.id) for o in owners.values()] + [(a, o.id) for o in owners.values() for a in o.aliases]
    return sorted(names, key=lambda pair: -len(pair[0]))


def _initials_match(words: list[str], acronym: str, loose: bool = False) -> bool:
    letters = acronym.replace("&", "").lower()

    def initial(word: str) -> str:  # an acronym inside a name gives all its letters: NHS England (NHSE)
        return word if len(word) > 1 and word.isupper() and word.isalpha() else word[0]

    every = "".join(initial(w) for w in words if w[:1].isalnum()).lower()
    capital = "".join(initial(w) for w in words if w[:1].isupper() or w[:1].isdigit()).lower()
    significant = "".join(initial(w) for w in words if w.lower() not in _SMALL and w[:1].isalnum()).lower()
    if letters in (every, capital, significant):
        return True
    # an acronym that skips a word: National Institute for Health and Care Research (NIHR)
    return (
        loose
        and len(letters) >= 3
        and significant[:1] == letters[:1]
        and significant[-1:] == letters[-1:]
        and _subsequence(letters, significant)
    )


def _subsequence(short: str, long: str) -> bool:
    remaining = iter(long)
    return all(letter in remaining for letter in short)


def acronym_name(text: str, acronym_start: int, acronym: str) -> int | None:
    """Where the name that `acronym` abbreviates starts in `text` (the acronym's "(" at `acronym_start`)."""
    before = text[:acronym_start].rstrip()
    words = list(re.finditer(r"[^\s/;,]+", before))
    for loose in (False, True):  # every initial first; then an acronym that skips a word
        for first in range(len(words) - 1, -1, -1):
            span = [m.group(0) for m in words[first:]]
            if re.search(r"[/;,\n\x00\x01]", before[words[first].start() : words[-1].end()]):
                break
            if _initials_match(span, acronym, loose):
                return words[first].start()
    return None


def _stands_alone(piece: str, known: bool) -> bool:
    if known:
        return True
    words = piece.split()
    if not words or (not words[0][:1].isupper() and not words[0][:1].isdigit()):
        return False
    if words[-1].lower() in _SMALL:
        return False
    acronym = _ACRONYM.search(piece)
    if acronym and not _initials_match(piece[: acronym.start()].split(), acronym.group(1), loose=True):
        return False
    plain = [w for w in words if not _ACRONYM.fullmatch(w)]
    return len(plain) >= 2 or (len(plain) == 1 and plain[0].isupper() and len(plain[0]) >= 2)


def _split_and(part: str) -> list[str]:
    """`part` split at " and ", " & " or a full stop between names, only where every piece stands alone."""
    pieces = re.split(r"\s(?:and|&)\s|(?<=[a-z])\.\s+(?=[A-Z])", part)
    if len(pieces) == 1:
        return pieces
    known = [re.fullmatch(r"\x00\d+\x00|\x01\d+\x01", piece.strip()) is not None for piece in pieces]
    if all(_stands_alone(p.strip(), k) for p, k in zip(pieces, known, strict=True)):
        return pieces
    return [part]


def _unmark_partial(part: str, originals: dict[str, str]) -> str:
    """A known name that is only part of a longer one ("Public Health" in "Public Health and Research") is not
    that owner: the part goes back to its text, to be read as one name."""
    pieces = re.split(r"(\x00\d+\x00)", part)
    rest = " ".join(p for p in pieces if not p.startswith("\x00")).strip()
    if len(pieces) == 1 or not [w for w in rest.split() if w.lower() not in ("and", "&") and re.search(r"\w", w)]:
        return part
    loose = re.split(r"\s(?:and|&)\s|^(?:and|&)\s|\s(?:and|&)$", rest)
    if all(_stands_alone(piece.strip(), False) for piece in loose if piece.strip()):
        return part
    return " ".join("".join(originals.get(p, p) for p in pieces).split())


def split_owners(cell: str, owners: dict[str, Owner], separator: str | None) -> list[str | tuple[str, ...]]:
    """Owner ids found in a "who" cell, in order; a name not in the registry comes back as a tuple: (name,) or
    (name, acronym) when the cell gives its acronym in brackets."""
    names = owner_names(owners)
    text = "\n".join(" ".join(line.split()) for line in cell.splitlines() if line.strip())
    marked = text
    originals: dict[str, str] = {}  # marker -> the text it stands for
    for index, (name, _) in enumerate(names):
        pattern = re.compile(
            # not inside brackets: "(PHE)" after another name is that name's acronym, not a known owner
            r"(?<![\w&(])" + re.escape(name) + r"(?![\w&)])(?:\s*\(\s*[A-Z][A-Za-z&]{1,11}\s*\))?",
            re.IGNORECASE,
        )

        def mark(match: re.Match[str], index: int = index) -> str:
            originals[f"\x00{index}\x00"] = match.group(0)
            return f" \x00{index}\x00 "

        marked = pattern.sub(mark, marked)
    proposals: list[tuple[str, str]] = []  # (name, acronym) found whole
    while True:
        found = None
        for match in _ACRONYM.finditer(marked):
            start = acronym_name(marked, match.start(), match.group(1))
            if start is not None and "\x00" not in marked[start : match.start()]:
                found = (start, match)
                break
        if found is None:
            break
        start, match = found
        name = " ".join(marked[start : match.start()].split())
        proposals.append((name, match.group(1)))
        marked = f"{marked[:start]} \x01{len(proposals) - 1}\x01 {marked[match.end() :]}"
    parts = [marked]
    for sep in ([separator] if separator else []) + ["\n", "/", ";", ","]:
        parts = [piece for part in parts for piece in part.split(sep)]
    parts = [piece for part in parts for piece in _split_and(_unmark_partial(" ".join(part.split()), originals))]
    result: list[str | tuple[str, ...]] = []
    for part in parts:
        for token in re.split(r"(\x00\d+\x00|\x01\d+\x01)", part):
            token = " ".join(token.split()).strip(" .-–")
            token = re.sub(r"^(?:and|&)\s+|\s+(?:and|&)$", "", token)  # "... (DHSC) and coroners"
            if not token or token.lower() in _SMALL:
                continue
            item: str | tuple[str, ...]
            if token.startswith("\x00"):
                item = names[int(token.strip("\x00"))][1]
            elif token.startswith("\x01"):
                item = proposals[int(token.strip("\x01"))]
            else:
                item = (token,)
            if item not in result:
                result.append(item)
    return result


def guess_kind(name: str, *, partner: bool = False) -> str:
    """`person` for what reads as a person's name; `partner` for an organisation outside the council (or a name
    from the partners column); else `team`."""
    words = name.replace("(", " ").replace(")", " ").split()
    if _HONORIFIC.match(name):
        return "person"
    if not _TEAM_WORDS.search(name) and not _PARTNER_WORDS.search(name):
        if _INITIAL.match(name):
            return "person"
        if 2 <= len(words) <= 3 and words[0].lower() in _FIRST_NAMES and all(w[:1].isupper() for w in words):
            return "person"
    if partner or _PARTNER_WORDS.search(name):
        return "partner"
    return "team"


def propose_owner(
    name: str, owners: dict[str, Owner], *, aliases: tuple[str, ...] = (), partner: bool = False
) -> Owner:
    """A registry entry for a name the registry does not know (the same name gives the same id)."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    base = slug(ascii_name, words=8, limit=60) if re.search(r"[A-Za-z0-9]", ascii_name) else ""
    base = base if base and base != "action" else "owner"
    owner_id, number = base, 1
    while owner_id in owners and owners[owner_id].name != name:
        number += 1
        owner_id = f"{base}-{number}"
    return Owner(id=owner_id, name=name, kind=guess_kind(name, partner=partner), aliases=list(aliases))
