"""JSON encode/decode: orjson when installed (Home Assistant always has it), else stdlib."""

from __future__ import annotations

import json
from typing import Any

try:
    import orjson
except ImportError:  # pragma: no cover - exercised only where orjson is absent
    orjson = None  # type: ignore[assignment]


def loads(raw: str | bytes) -> Any:
    """Parse JSON; raises ValueError on bad input."""
    if orjson is not None:
        return orjson.loads(raw)
    return json.loads(raw)


def dumps(value: Any) -> str:
    """Serialise to a compact JSON text."""
    if orjson is not None:
        return orjson.dumps(value).decode()
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)
