"""Who receives what: room names and a client's subscription.

Every event goes to exactly one kind of room, so a client never receives an event
twice:

- an event without ``station`` (orders, tables, checks, menu) goes to the restaurant
  room ``r:{restaurant_id}``;
- a kitchen event (it carries ``station``) goes to its station room
  ``r:{restaurant_id}:station:{station}`` and to the expo room ``r:{restaurant_id}:expo``
  (emitted once to both rooms; a client in both would still receive it once).

A client joins the restaurant room (when it may read every event) plus either its station
room (connected with ``station``) or the expo room (connected without).
"""

from __future__ import annotations

from dataclasses import dataclass

from brigade.events.outbox import DomainEvent

#: Prefix of every fan-out room; a client's own room (its sid) never starts with it.
ROOM_PREFIX = "r:"


def restaurant_room(restaurant_id: int) -> str:
    """The room of a restaurant's non-kitchen events."""
    return f"{ROOM_PREFIX}{restaurant_id}"


def station_room(restaurant_id: int, station: str) -> str:
    """The room of one kitchen station's events."""
    return f"{ROOM_PREFIX}{restaurant_id}:station:{station}"


def expo_room(restaurant_id: int) -> str:
    """The room of every kitchen event of a restaurant (the expo / pass screen)."""
    return f"{ROOM_PREFIX}{restaurant_id}:expo"


def event_rooms(event: DomainEvent) -> list[str]:
    """The rooms ``event`` is emitted to (see the module docstring)."""
    if event.station is None:
        return [restaurant_room(event.restaurant_id)]
    return [station_room(event.restaurant_id, event.station), expo_room(event.restaurant_id)]


@dataclass(frozen=True, slots=True)
class Subscription:
    """What one connected client receives.

    ``restaurant_wide`` is true when the client may read every event of the restaurant
    (permission ``events:read``); a kitchen-only client (``kitchen:read`` without
    ``events:read``) receives kitchen events only. ``station`` ``None`` means the expo
    view: every station's kitchen events.
    """

    restaurant_id: int
    station: str | None
    restaurant_wide: bool

    def rooms(self) -> list[str]:
        """The rooms the client joins."""
        rooms = [restaurant_room(self.restaurant_id)] if self.restaurant_wide else []
        if self.station is None:
            rooms.append(expo_room(self.restaurant_id))
        else:
            rooms.append(station_room(self.restaurant_id, self.station))
        return rooms

    def sees(self, event: DomainEvent) -> bool:
        """Whether live delivery would have sent ``event`` to this client (for replay)."""
        if event.restaurant_id != self.restaurant_id:
            return False
        if event.station is None:
            return self.restaurant_wide
        return self.station is None or self.station == event.station
