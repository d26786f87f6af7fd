"""The checkout link as a QR code (SVG), for a phone at the charger."""

from __future__ import annotations

import io

import segno


def qr_svg(url: str) -> str:
    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="svg", scale=4, border=2, xmldecl=False)
    return buffer.getvalue().decode()
