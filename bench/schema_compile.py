"""How long the first message of an action holds the event loop while its validators compile.

    python -m bench.schema_compile [--json]

For each OCPP version, every request schema's relaxed (lenient) validator is compiled by a first payload
that needs it (`{"customData": 1}`), as the first such message from a charger does on the event loop.
Prints the worst and the median CPU time (thread_time) per version, against the target (15 ms) and the
figures of the validator this replaced (fastjsonschema: up to 60 ms on 2.1, 25 ms on 2.0.1).  Each
version's registry is fresh, so nothing is cached from an earlier version.  It takes a few seconds.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import statistics
import time
from typing import Any

from custom_components.ocpp_core.csms.rpc.types import OcppError, OcppVersion
from custom_components.ocpp_core.csms.rpc.validation import SchemaRegistry

TARGET_MS = 15.0
BEFORE_MS = {"ocpp1.6": None, "ocpp2.0.1": 25.0, "ocpp2.1": 60.0}  # fastjsonschema, the worst schema


def compile_times(version: OcppVersion) -> dict[str, float]:
    """CPU ms each request action's first relaxed validation took, by action."""
    schemas = SchemaRegistry().load_blocking(version)
    actions = sorted(n.removesuffix(".json").removesuffix("Request") for n in schemas._schemas)
    times: dict[str, float] = {}
    for action in (a for a in actions if not a.endswith("Response")):
        start = time.thread_time()
        with contextlib.suppress(OcppError):
            schemas.validate(action, {"customData": 1}, response=False, lenient_mode=True)
        times[action] = (time.thread_time() - start) * 1000
    return times


def measure() -> dict[str, Any]:
    result: dict[str, Any] = {}
    for version in OcppVersion:
        times = compile_times(version)
        worst = max(times, key=times.__getitem__)
        result[version.value] = {
            "actions": len(times),
            "worst_ms": round(times[worst], 2),
            "worst_action": worst,
            "median_ms": round(statistics.median(times.values()), 2),
            "before_worst_ms": BEFORE_MS.get(version.value),
        }
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    result = measure()
    if args.json:
        print(json.dumps(result))
        return
    print(
        f"{'version':<10} {'actions':>7} {'worst ms':>9} {'median ms':>9} {'before':>7}  worst action  (target < {TARGET_MS:g} ms)"
    )
    for version, row in result.items():
        before = "-" if row["before_worst_ms"] is None else f"{row['before_worst_ms']:g}"
        mark = "" if row["worst_ms"] < TARGET_MS else "  ABOVE TARGET"
        print(
            f"{version:<10} {row['actions']:>7} {row['worst_ms']:>9.2f} {row['median_ms']:>9.2f} {before:>7}"
            f"  {row['worst_action']}{mark}"
        )


if __name__ == "__main__":
    main()
