#!/usr/bin/env python3
"""Check that `python -m csms` runs where Home Assistant is not installed.

Run with an interpreter that has only requirements/core.txt: starts the
central system as a user would (from custom_components/ocpp_core/), boots a
charger against it over a real WebSocket, sends a bad frame, stops it with
Ctrl-C and expects a clean exit.
"""

from __future__ import annotations

import asyncio
import importlib.util
import json
import signal
import socket
import subprocess
import sys
from pathlib import Path

import websockets

COMPONENT = Path(__file__).resolve().parent.parent / "custom_components" / "ocpp_core"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def exercise(port: int) -> None:
    for _ in range(100):  # wait for the server to listen
        try:
            ws = await websockets.connect(f"ws://127.0.0.1:{port}/smoke-1", subprotocols=["ocpp1.6"])  # type: ignore[list-item]
            break
        except OSError:
            await asyncio.sleep(0.1)
    else:
        raise SystemExit("python -m csms did not start listening")
    boot = {"chargePointVendor": "Smoke", "chargePointModel": "Test"}
    await ws.send(json.dumps([2, "b1", "BootNotification", boot]))
    reply = json.loads(await asyncio.wait_for(ws.recv(), 5))
    assert reply[0] == 3 and reply[2]["status"] == "Accepted", reply
    await ws.send("not json")
    reply = json.loads(await asyncio.wait_for(ws.recv(), 5))
    while reply[0] == 2:  # the central system reads the configuration after a boot
        await ws.send(json.dumps([3, reply[1], {"configurationKey": []}]))
        reply = json.loads(await asyncio.wait_for(ws.recv(), 5))
    assert reply[:3] == [4, "-1", "FormationViolation"], reply
    await ws.close()


def main() -> int:
    if importlib.util.find_spec("homeassistant") is not None:
        print("homeassistant is installed here; this check needs an environment without it", file=sys.stderr)
        return 1
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "csms", "--host", "127.0.0.1", "--port", str(port)],
        cwd=COMPONENT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        asyncio.run(exercise(port))
    finally:
        server.send_signal(signal.SIGINT)
        output, errors = server.communicate(timeout=10)
    print(output, end="")
    print(errors, end="", file=sys.stderr)
    if server.returncode != 0:
        print(f"python -m csms exited with {server.returncode}", file=sys.stderr)
        return 1
    assert "booted smoke-1" in output, "the boot was not logged to stdout"
    print("python -m csms: OK without Home Assistant")
    return 0


if __name__ == "__main__":
    sys.exit(main())
