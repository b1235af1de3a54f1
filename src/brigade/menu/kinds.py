"""What a modifier does to a dish, and how the kitchen reads it.

A modifier either adds (``Extra cheese``, priced by its ``price_delta``), takes an
ingredient away (``no`` onions) or lightens one (``light`` cheese). The pad, the
kitchen ticket and the check all write a chosen modifier with :func:`modifier_label`,
so "NO Red Onions" reads the same everywhere. Taking away or lightening never costs
more (``price_delta <= 0``, checked by the menu's schemas).
"""

from __future__ import annotations

from enum import StrEnum


class ModifierKind(StrEnum):
    """``add``: an extra; ``remove``: leave the ingredient out; ``light``: less of it."""

    add = "add"
    remove = "remove"
    light = "light"


#: What the kitchen reads before the name of a modifier of each kind.
_PREFIX = {ModifierKind.add: "", ModifierKind.remove: "NO ", ModifierKind.light: "LIGHT "}


def modifier_label(name: str, kind: str | None) -> str:
    """The modifier as the kitchen reads it: ``"NO Red Onions"``, ``"LIGHT Mozzarella
    Cheese"``, or the name itself for an ``add`` (and for an unknown or missing kind:
    lines snapshotted before kinds existed)."""
    try:
        prefix = _PREFIX[ModifierKind(kind or "add")]
    except ValueError:
        prefix = ""
    return f"{prefix}{name}"
