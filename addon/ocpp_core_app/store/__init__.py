"""The add-on's durable store: csms's Persistence on SQLite."""

from .errors import StoreError
from .sqlite import SqliteStore

__all__ = ["SqliteStore", "StoreError"]
