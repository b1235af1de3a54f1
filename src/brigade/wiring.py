"""The composition root's wiring of the contexts' hooks (dependency inversion).

A lower context that needs a higher one inside its transaction declares a hook and the
higher context's function is registered here, at start, by :func:`wire` (called by
:func:`brigade.app.create_app`):

=================================  ==============================================
hook (declared by)                 registered function
=================================  ==============================================
fired lines (orders.hooks)         ``brigade.kitchen.service.create_tickets``
voided fired line (orders.hooks)   ``brigade.kitchen.service.void_ticket_line``
cancel guard (orders.hooks)        ``brigade.billing.service.refuse_cancel_with_check``
fired lines' stock (orders.hooks)  ``brigade.inventory.service.use_stock``
voided line's stock (orders.hooks) ``brigade.inventory.service.give_back``
open order at a table (tables)     ``brigade.orders.service.has_open_order_at``
payment drawer (billing.hooks)     ``brigade.tills.service.payment_drawer``
business day (billing.hooks)       ``brigade.tills.service.business_day``
recorded events (events.outbox)    ``brigade.audit.trail.on_recorded`` (the audit trail)
=================================  ==============================================
"""

from __future__ import annotations

from brigade.audit import trail as audit_trail
from brigade.billing import hooks as billing_hooks
from brigade.billing.service import refuse_cancel_with_check
from brigade.inventory.service import give_back, use_stock
from brigade.kitchen.service import create_tickets, void_ticket_line
from brigade.orders import hooks as order_hooks
from brigade.orders.service import has_open_order_at
from brigade.tables import hooks as table_hooks
from brigade.tills.service import business_day, payment_drawer


def wire() -> None:
    """Register every hook of the table above (idempotent)."""
    order_hooks.register_kitchen(create_tickets, void_ticket_line)
    order_hooks.register_cancel_guard(refuse_cancel_with_check)
    order_hooks.register_stock(use_stock, give_back)
    table_hooks.register_open_order_probe(has_open_order_at)
    billing_hooks.register_payment_drawer(payment_drawer)
    billing_hooks.register_business_day(business_day)
    audit_trail.install()
