"""The two baseline servers the central system is measured against.

    python -m bench.servers ocpp-lib --port 9001   # a minimal central system on the `ocpp` package
    python -m bench.servers raw-echo --port 9002   # `websockets` answering [3, id, {}] to every CALL

Both listen with subprotocol ocpp1.6 and no compression, as our central system does, and
stop cleanly on SIGINT/SIGTERM.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import logging
import signal
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

import orjson
from ocpp.routing import on
from ocpp.v16 import ChargePoint, call_result
from ocpp.v16.datatypes import IdTagInfo
from ocpp.v16.enums import Action, AuthorizationStatus, RegistrationStatus
from websockets.asyncio.server import ServerConnection, serve
from websockets.exceptions import ConnectionClosed
from websockets.typing import Subprotocol

_transaction_ids = itertools.count(1)
_F = TypeVar("_F", bound=Callable[..., Any])


def handles(action: Action) -> Callable[[_F], _F]:
    """`ocpp.routing.on`, typed."""
    decorator: Callable[[_F], _F] = on(action)
    return decorator


def _now() -> str:
    return datetime.now(UTC).isoformat().replace("+00:00", "Z")


class LibCentral(ChargePoint):  # type: ignore[misc]
    """The central-system side of one charger, as the `ocpp` package's README builds it."""

    @handles(Action.boot_notification)
    def on_boot_notification(self, charge_point_vendor: str, charge_point_model: str, **kwargs: Any) -> Any:
        return call_result.BootNotification(current_time=_now(), interval=300, status=RegistrationStatus.accepted)

    @handles(Action.heartbeat)
    def on_heartbeat(self) -> Any:
        return call_result.Heartbeat(current_time=_now())

    @handles(Action.status_notification)
    def on_status_notification(self, connector_id: int, error_code: str, status: str, **kwargs: Any) -> Any:
        return call_result.StatusNotification()

    @handles(Action.start_transaction)
    def on_start_transaction(
        self, connector_id: int, id_tag: str, meter_start: int, timestamp: str, **kwargs: Any
    ) -> Any:
        return call_result.StartTransaction(
            transaction_id=next(_transaction_ids), id_tag_info=IdTagInfo(status=AuthorizationStatus.accepted)
        )

    @handles(Action.meter_values)
    def on_meter_values(self, connector_id: int, meter_value: list[dict[str, Any]], **kwargs: Any) -> Any:
        return call_result.MeterValues()


async def ocpp_lib(connection: ServerConnection) -> None:
    assert connection.request is not None
    charger = LibCentral(connection.request.path.rstrip("/").rsplit("/", 1)[-1], connection)
    with contextlib.suppress(ConnectionClosed):
        await charger.start()


async def raw_echo(connection: ServerConnection) -> None:
    with contextlib.suppress(ConnectionClosed):
        async for raw in connection:
            frame = orjson.loads(raw)
            if frame[0] == 2:
                await connection.send("[3," + orjson.dumps(frame[1]).decode() + ",{}]")


SERVERS: dict[str, Callable[[ServerConnection], Awaitable[None]]] = {"ocpp-lib": ocpp_lib, "raw-echo": raw_echo}


async def _serve(kind: str, host: str, port: int) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    async with serve(SERVERS[kind], host, port, subprotocols=[Subprotocol("ocpp1.6")], compression=None):
        await stop.wait()


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.servers", description="a baseline server for the benchmark")
    parser.add_argument("kind", choices=sorted(SERVERS))
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    opts = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    asyncio.run(_serve(opts.kind, opts.host, opts.port))


if __name__ == "__main__":
    main()
