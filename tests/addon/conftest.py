"""The add-on's app on sys.path (as in the container: `addon/` on PYTHONPATH)."""

from __future__ import annotations

import sys
from pathlib import Path

ADDON = Path(__file__).resolve().parents[2] / "addon"
if str(ADDON) not in sys.path:
    sys.path.insert(0, str(ADDON))
