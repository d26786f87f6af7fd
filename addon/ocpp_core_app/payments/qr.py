"""The checkout link as a QR code (SVG), for a phone at the charger."""

from __future__ import annotations

import io


def qr_svg(url: str) -> str:
    import segno  # only for a payment QR code: not carried by every idle add-on (~0.3 MiB of RSS)

    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="svg", scale=4, border=2, xmldecl=False)
    return buffer.getvalue().decode()
