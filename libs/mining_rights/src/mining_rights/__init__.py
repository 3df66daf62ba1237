"""One read model of mining rights, kept from ``rights.*`` events by every service that needs
to know who holds a mine, what it extracts and whether it still runs.

A service keeps it by putting ``MIGRATIONS`` among its version folders and ``handlers`` first
among its event handlers (``Handlers.combine(mining_rights.handlers, ...)``), so its own
handlers of the same events find the right already up to date.
"""

from pathlib import Path

from mining_rights.handlers import handlers
from mining_rights.models import MiningRight

MIGRATIONS = Path(__file__).parent / "migrations" / "versions"

__all__ = ["MIGRATIONS", "MiningRight", "handlers"]
