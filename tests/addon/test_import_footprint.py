"""The idle add-on's memory: libraries only some pages use are imported when used, not at start (issue 15:
1,000 idle chargers in < 100 MiB; VmRSS after the app's imports: xlsxwriter 1.5 MiB, segno 0.3, stripe more;
jinja2 1.7, imported with the first web page)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ADDON = Path(__file__).resolve().parents[2] / "addon"
ON_DEMAND = ("xlsxwriter", "segno", "stripe", "jinja2")


def test_the_app_starts_without_the_on_demand_libraries() -> None:
    probe = f"import sys, ocpp_core_app.app; print([m for m in {ON_DEMAND!r} if m in sys.modules])"
    out = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=ADDON,
        env={"PYTHONPATH": str(ADDON)},
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip() == "[]", out.stdout + out.stderr
