"""The guest tests share the menu tests' restaurant-and-staff fixture."""

from tests.menu.conftest import Staff, events_of, staff

__all__ = ["Staff", "events_of", "staff"]
