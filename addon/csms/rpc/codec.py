"""JSON encode/decode: orjson when installed (Home Assistant always has it), else stdlib.

Both refuse the same hostile input, as not JSON: lone UTF-16 surrogates (a
JSON escape such as \\ud800 makes a string no UTF-8 text can carry, so no
answer, log line or Store file could hold it) and numbers beyond a double
(1e400).  Integers beyond 64 bits become floats, as orjson reads them.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

try:
    import orjson
except ImportError:  # pragma: no cover - exercised only where orjson is absent
    orjson = None  # type: ignore[assignment]

# an escape of a UTF-16 surrogate; only then can a parsed string hold a lone one (valid pairs join up)
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_INT64_MIN, _UINT64_MAX = -(2**63), 2**64 - 1


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"number is infinity when parsed as double: {text[:40]}")
    return value


def _integer(text: str) -> int | float:
    value = int(text)  # beyond 4,300 digits: ValueError, as it should be
    return value if _INT64_MIN <= value <= _UINT64_MAX else _finite(text)


def _no_constant(text: str) -> Any:
    raise ValueError(f"{text} is not JSON")


def _stdlib_loads(raw: str | bytes) -> Any:
    text = raw.decode("utf-8") if isinstance(raw, bytes) else raw  # UnicodeDecodeError is a ValueError
    value = json.loads(text, parse_float=_finite, parse_int=_integer, parse_constant=_no_constant)
    if _SURROGATE_ESCAPE.search(text) is not None:
        try:
            json.dumps(value, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError as err:
            raise ValueError("lone surrogate in string") from err
    return value


def loads(raw: str | bytes) -> Any:
    """Parse JSON; raises ValueError on bad input."""
    if orjson is not None:
        return orjson.loads(raw)
    return _stdlib_loads(raw)


def dumps(value: Any) -> str:
    """Serialise to a compact JSON text."""
    if orjson is not None:
        return orjson.dumps(value).decode()
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)
