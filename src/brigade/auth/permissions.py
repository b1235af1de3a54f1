"""Roles, permissions and the one table that maps one to the other.

Routes and Socket.IO handlers ask for a :class:`Permission`; they never test role
names. API token scopes are permission values (``"menu:read"``, ``"kitchen:bump"``).
"""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    """A member's role in one restaurant."""

    owner = "owner"
    manager = "manager"
    waiter = "waiter"
    kitchen = "kitchen"
    cashier = "cashier"


class Permission(StrEnum):
    """What an actor may do in a restaurant; the values double as API token scopes."""

    restaurant_read = "restaurant:read"
    restaurant_write = "restaurant:write"
    staff_read = "staff:read"
    staff_write = "staff:write"
    tokens_read = "tokens:read"
    tokens_write = "tokens:write"
    #: Register and revoke shared devices, set their idle times (managers).
    devices_write = "devices:write"
    menu_read = "menu:read"
    menu_write = "menu:write"
    menu_availability = "menu:availability"
    tables_read = "tables:read"
    tables_write = "tables:write"
    #: Lay out the floor plan and assign tables to waiters (sections): managers.
    floor_plan = "floor:plan"
    orders_read = "orders:read"
    orders_write = "orders:write"
    orders_void = "orders:void"
    kitchen_read = "kitchen:read"
    kitchen_bump = "kitchen:bump"
    billing_read = "billing:read"
    billing_request = "billing:request"
    billing_write = "billing:write"
    #: Approve what needs a manager (a discount beyond the restaurant's threshold, a
    #: refund, a void of a payment or of an order line after preparation).
    billing_approve = "billing:approve"
    reports_read = "reports:read"
    tills_read = "tills:read"
    tills_write = "tills:write"
    shifts_write = "shifts:write"
    day_close = "day:close"
    events_read = "events:read"
    #: Read the restaurant's audit trail (who did what, before and after).
    audit_read = "audit:read"
    #: Stock and recipes: read the stock, the reorder list and the usage report.
    inventory_read = "inventory:read"
    #: Record deliveries, waste and counts; edit ingredients and recipes.
    inventory_write = "inventory:write"


_ALL = frozenset(Permission)

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.owner: _ALL,
    Role.manager: _ALL,
    Role.waiter: frozenset(
        {
            Permission.restaurant_read,
            Permission.menu_read,
            Permission.tables_read,
            Permission.tables_write,
            Permission.orders_read,
            Permission.orders_write,
            Permission.orders_void,
            Permission.kitchen_read,
            Permission.billing_read,
            Permission.billing_request,
            Permission.events_read,
        }
    ),
    Role.kitchen: frozenset(
        {
            Permission.restaurant_read,
            Permission.menu_read,
            Permission.menu_availability,
            Permission.orders_read,
            Permission.kitchen_read,
            Permission.kitchen_bump,
            Permission.events_read,
        }
    ),
    Role.cashier: frozenset(
        {
            Permission.restaurant_read,
            Permission.menu_read,
            Permission.tables_read,
            Permission.orders_read,
            Permission.orders_write,
            Permission.billing_read,
            Permission.billing_request,
            Permission.billing_write,
            Permission.tills_read,
            Permission.shifts_write,
            Permission.events_read,
        }
    ),
}
