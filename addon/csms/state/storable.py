"""What can be saved: a snapshot without the records the store cannot write.

Home Assistant's Store writes with orjson, which refuses integers beyond 64
bits and strings with lone surrogates.  Nothing a charger sends should get that
far (see model/bounds.py and rpc/lenient.py), but if anything does, one bad value must
not stop every later save of the whole central system: the record holding it
is left out of what is saved, and named, and everything else is saved.

The record left out is the innermost list item holding the bad value (a
connector id, a transaction, a device-model entry …), or the innermost
dictionary entry when no list holds it.  The search runs only when the whole
snapshot fails to serialise, and descends only into the parts that fail.
"""

from __future__ import annotations

from typing import Any

from ..rpc.codec import dumps

_DROP = object()
# where a record is: the keys and list indexes from the top of the snapshot
Path = tuple[str | int, ...]


def format_path(path: Path) -> str:
    """stations.wb.connectors[1]"""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text


def _fails(value: Any) -> str | None:
    """Why `value` cannot be serialised (None: it can)."""
    try:
        dumps(value)
    except (TypeError, ValueError, OverflowError) as err:  # orjson.JSONEncodeError is a TypeError
        return str(err) or type(err).__name__
    return None


def storable(data: dict[str, Any]) -> tuple[dict[str, Any], list[tuple[Path, str]]]:
    """`data` itself when it serialises, else a copy without the bad records, and (path, reason) of each.

    `data` is never changed (its containers may be the live state's own)."""
    if _fails(data) is None:
        return data, []
    dropped: list[tuple[Path, str]] = []
    cleaned = _clean(data, (), dropped, in_item=False)
    return (cleaned if isinstance(cleaned, dict) else {}), dropped


def _clean(value: Any, path: Path, dropped: list[tuple[Path, str]], in_item: bool) -> Any:
    """`value` (known to fail) without its bad parts; _DROP when the bad part is `value` itself, or when
    it is a list item's (in_item) part that has no list of its own between."""
    if isinstance(value, dict):
        out: dict[Any, Any] = {}
        for key, child in value.items():
            child_path = (*path, str(key))
            reason = _fails({key: child})
            if reason is None:
                out[key] = child
                continue
            cleaned = _DROP if _fails({key: None}) is not None else _clean(child, child_path, dropped, in_item)
            if cleaned is _DROP:
                if in_item:
                    return _DROP  # the list item holding it goes whole
                dropped.append((child_path, reason))
                continue
            out[key] = cleaned
        return out
    if isinstance(value, list | tuple):
        items: list[Any] = []
        for index, child in enumerate(value):
            reason = _fails(child)
            if reason is None:
                items.append(child)
                continue
            child_path = (*path, index)
            cleaned = _clean(child, child_path, dropped, in_item=True)
            if cleaned is _DROP:
                dropped.append((child_path, reason))
                continue
            items.append(cleaned)
        return items
    return _DROP
