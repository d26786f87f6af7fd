"""The API's bearer token: given, or generated once and kept in the data dir (so it stays the same)."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

TOKEN_FILE = "api_token"


def api_token(data_dir: Path, given: str | None) -> tuple[str, bool]:
    """(the token, whether it was generated just now)."""
    if given:
        return given, False
    path = data_dir / TOKEN_FILE
    if path.is_file() and (kept := path.read_text(encoding="utf-8").strip()):
        return kept, False
    token = secrets.token_urlsafe(32)
    data_dir.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as file:
        file.write(token + "\n")
    return token, True
