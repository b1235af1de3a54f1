"""Imports every context's tables so that ``Base.metadata`` is complete (Alembic)."""

from brigade.audit import models as audit_models
from brigade.auth import models as auth_models
from brigade.billing import models as billing_models
from brigade.devices import models as devices_models
from brigade.events import models as events_models
from brigade.idempotency import models as idempotency_models
from brigade.infra.db import Base
from brigade.inventory import models as inventory_models
from brigade.kitchen import models as kitchen_models
from brigade.menu import models as menu_models
from brigade.orders import models as orders_models
from brigade.restaurants import models as restaurants_models
from brigade.tables import models as tables_models
from brigade.tills import models as tills_models

metadata = Base.metadata

__all__ = [
    "audit_models",
    "auth_models",
    "billing_models",
    "devices_models",
    "events_models",
    "idempotency_models",
    "inventory_models",
    "kitchen_models",
    "menu_models",
    "metadata",
    "orders_models",
    "restaurants_models",
    "tables_models",
    "tills_models",
]
