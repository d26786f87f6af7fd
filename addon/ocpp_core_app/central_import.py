"""The one place the app imports the central system from.

In the add-on's container `csms` is a top-level package (addon/csms, the copy scripts/sync_addon.py makes).
Run from the repository before that copy exists, the integration's own csms/ is put on sys.path instead.
Type checkers see the integration's csms, the source of the copy.
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING


def _import_csms() -> ModuleType:
    try:
        return importlib.import_module("csms")
    except ImportError:
        integration = Path(__file__).resolve().parents[2] / "custom_components" / "ocpp_core"
        if not (integration / "csms" / "__init__.py").is_file():
            raise
        sys.path.append(str(integration))
        return importlib.import_module("csms")


if TYPE_CHECKING:
    from custom_components.ocpp_core import csms
else:
    csms = _import_csms()

__all__ = ["csms"]
