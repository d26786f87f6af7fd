"""The admin pages' data beside the central system: the inbox, the chargers' notes and the options set while it
runs, on the app's store."""

from __future__ import annotations

from typing import Any

from ..central_import import csms
from ..store import RowStore
from .central_options import CentralOptions
from .chargers import NoteBook
from .inbox import Inbox


class AdminData:
    """Made before the central system starts (`attach` sets its boot policy); `load` after the store opened."""

    def __init__(self, store: RowStore | None) -> None:
        self.store = store
        self.notes = NoteBook(store)
        self.inbox: Inbox | None = None
        self.options: CentralOptions | None = None

    def attach(self, central: Any, unknown_chargers: str, options: CentralOptions | None = None) -> Inbox:
        """`options`: the options in force (their unknown_chargers is the boot policy's, read at each boot);
        without them, `unknown_chargers` fixed."""
        self.inbox = Inbox(central, self.store)
        self.options = options
        policy = unknown_chargers if options is None else lambda: options.unknown_chargers
        central.config.boot_policy = self.inbox.boot_policy(policy)
        # past max_stations: a charger accepted in the inbox gets in; any other is noted there
        central.config.over_max_stations = self.inbox.over_max_stations
        # security profile 3: a thumbprint set on the charge point's page pins its client certificate
        central.config.certificate_pin = lambda station_id: self.notes.get(station_id).thumbprint
        central.events.subscribe(self.inbox.on_event, (csms.EventType.AUTHORIZE, csms.EventType.AUTHENTICATION))
        return self.inbox

    async def load(self) -> None:
        if self.inbox is not None:
            await self.inbox.load()
        await self.notes.load()
        if self.options is not None:
            await self.options.load()

    async def close(self) -> None:
        if self.inbox is not None:
            await self.inbox.close()
