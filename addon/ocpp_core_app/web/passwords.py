"""The own port's account passwords: salted scrypt (the parameters csms's charger passwords use), checked in
constant time in a worker thread (scrypt is slow on purpose)."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import os
from typing import Any

_N, _R, _P = 2**14, 8, 1
MIN_LENGTH = 10


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(password.encode(), salt=salt, n=n, r=r, p=p, dklen=32, maxmem=64 * 1024 * 1024)


def hash_password(password: str) -> dict[str, Any]:
    salt = os.urandom(16)
    return {
        "kdf": "scrypt",
        "n": _N,
        "r": _R,
        "p": _P,
        "salt": salt.hex(),
        "hash": _scrypt(password, salt, _N, _R, _P).hex(),
    }


def matches(stored: dict[str, Any], password: str) -> bool:
    try:
        digest = _scrypt(password, bytes.fromhex(stored["salt"]), int(stored["n"]), int(stored["r"]), int(stored["p"]))
        return hmac.compare_digest(digest, bytes.fromhex(stored["hash"]))
    except (KeyError, ValueError, TypeError):
        return False


async def async_matches(stored: dict[str, Any], password: str) -> bool:
    return await asyncio.to_thread(matches, stored, password)


async def async_hash(password: str) -> dict[str, Any]:
    return await asyncio.to_thread(hash_password, password)
