"""The web UI's account book (web_accounts.json in the data dir): the own port's accounts (name, role, password
hash, own tags) and, for Home Assistant users behind ingress, the tags linked to each (their "own" tags).

A user may start and stop sessions with their own tags only; an admin with any. Written atomically (a crash
leaves the old file or the new one, never half of one).
"""

from __future__ import annotations

import json
import logging
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .passwords import hash_password
from .registry import ADMIN, ROLES

_LOGGER = logging.getLogger(__name__)
FILE = "web_accounts.json"
FIRST_ADMIN = "admin"


@dataclass(slots=True)
class Account:
    name: str
    role: str
    password: dict[str, Any]
    tags: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"role": self.role, "password": self.password, "tags": self.tags}


class AccountBook:
    def __init__(self, data_dir: Path) -> None:
        self.path = data_dir / FILE
        self.accounts: dict[str, Account] = {}
        # Home Assistant user id -> the tags linked to that user
        self.ha_user_tags: dict[str, list[str]] = {}

    def load(self) -> None:
        if not self.path.exists():
            return
        data = json.loads(self.path.read_text(encoding="utf-8"))
        for name, entry in (data.get("accounts") or {}).items():
            role = entry.get("role") if entry.get("role") in ROLES else "user"
            self.accounts[name] = Account(name, role, entry.get("password") or {}, list(entry.get("tags") or []))
        self.ha_user_tags = {k: list(v) for k, v in (data.get("ha_user_tags") or {}).items()}

    def save(self) -> None:
        data = {
            "accounts": {name: account.to_dict() for name, account in sorted(self.accounts.items())},
            "ha_user_tags": self.ha_user_tags,
        }
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_suffix(".tmp")
        temporary.write_text(json.dumps(data, indent=1), encoding="utf-8")
        os.chmod(temporary, 0o600)
        os.replace(temporary, self.path)

    def ensure_first_admin(self) -> str | None:
        """With no account yet: create `admin` with a random password and return that password (else None)."""
        if self.accounts:
            return None
        password = secrets.token_urlsafe(12)
        self.accounts[FIRST_ADMIN] = Account(FIRST_ADMIN, ADMIN, hash_password(password))
        self.save()
        return password

    def own_tags(self, key: str) -> list[str]:
        """The tags of an account ("local:<name>") or of a Home Assistant user ("ha:<id>")."""
        source, _, name = key.partition(":")
        if source == "local":
            account = self.accounts.get(name)
            return list(account.tags) if account is not None else []
        return list(self.ha_user_tags.get(name, []))
