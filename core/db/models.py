"""Imports every model so that ``Base.metadata`` is complete (Alembic, tests)."""

from core.alerts import models as alerts
from core.catalog import models as catalog
from core.chatstate import models as chatstate
from core.db.base import Base
from core.finance import models as finance
from core.inventory import models as inventory
from core.orders import models as orders
from core.tenancy import models as tenancy

__all__ = ["Base", "alerts", "catalog", "chatstate", "finance", "inventory", "orders", "tenancy"]
