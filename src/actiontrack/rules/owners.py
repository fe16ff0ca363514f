"""Owners: who delivers each action (AT1xx)."""

from __future__ import annotations

import difflib
from collections.abc import Iterator

from ..derive import DerivedAction
from .base import Context, Hit, rule


@rule("AT101", "missing-owner", "error")
def missing_owner(item: DerivedAction, ctx: Context) -> Iterator[Hit]:
    """An open action has no owner.

    An action nobody owns is an action nobody delivers. Name at least one team, person or partner from
    `plans/owners.yaml`.
    """
    if not item.action.owners and item.is_open:
        yield Hit("no owner: name who delivers this action (an id from owners.yaml)", ("owners",))


def _suggest(owner_id: str, ctx: Context) -> str:
    owners = ctx.workspace.owners
    by_key = {key.lower(): registered for registered in owners.values() for key in (registered.id, registered.name)}
    close = difflib.get_close_matches(owner_id.lower(), list(by_key), n=1, cutoff=0.75)
    if close:
        return f'; did you mean "{by_key[close[0]].id}" ({by_key[close[0]].name})?'
    return f'; add it with `actiontrack add-owner {owner_id} --name "Its name" --kind team`'


@rule("AT102", "unknown-owner", "error")
def unknown_owner(item: DerivedAction, ctx: Context) -> Iterator[Hit]:
    """An owner or partner id is not in the owners registry (`plans/owners.yaml`).

    Usually a misspelling of an existing owner ("hwbb-education-sub-group" for "hwbb-education-subgroup"); the
    message suggests the nearest registered one. Otherwise add the owner to the registry.
    """
    for key in ("owners", "partners"):
        for index, owner_id in enumerate(getattr(item.action, key)):
            if owner_id not in ctx.workspace.owners:
                what = "owner" if key == "owners" else "partner"
                yield Hit(f'unknown {what} "{owner_id}": not in owners.yaml{_suggest(owner_id, ctx)}', (key, index))


@rule("AT103", "person-owner", "info")
def person_owner(item: DerivedAction, ctx: Context) -> Iterator[Hit]:
    """A named individual is an action's only owner.

    When one person owns an action, it stalls when they leave or are off, and their name is published with the
    plan. Consider naming their team as well. Reported as info by default; raise it to a warning, or turn it off,
    in actiontrack.yaml (`lint: {rules: {person-owner: warning}}`).
    """
    owners = item.action.owners
    if len(owners) == 1:
        owner = ctx.workspace.owners.get(owners[0])
        if owner is not None and owner.kind == "person":
            yield Hit(f"{owner.name} (a person) is the only owner; name their team as well", ("owners", 0))
