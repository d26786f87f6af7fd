"""The checkout link as a QR code (SVG), for a phone at the charger."""

from __future__ import annotations

import io


def qr_svg(url: str) -> str:
    import segno  # here, not at the top: it costs the idle add-on about 13 MiB of RSS and only payments use it

    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="svg", scale=4, border=2, xmldecl=False)
    return buffer.getvalue().decode()
