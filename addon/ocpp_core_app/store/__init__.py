"""The add-on's durable store: csms's Persistence on SQLite (the default) or PostgreSQL."""

from .base import RowStore
from .errors import StoreError
from .sqlite import SqliteStore

__all__ = ["RowStore", "SqliteStore", "StoreError"]
