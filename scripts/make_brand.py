#!/usr/bin/env python3
"""Draw the integration's brand images into custom_components/ocpp_core/brand/, and the add-on's.

Home Assistant 2026.3 and newer show a custom integration's own icon and logo
from its brand/ folder (older releases look only at the brands CDN, where this
integration has none).  The images follow the brands repository's rules: PNG,
transparent background, the icon square at 256 px (@2x 512 px), the logo's
shortest side 128 px (@2x 256 px), trimmed; dark_* for dark themes.  The
add-on's (addon/icon.png, addon/logo.png) follow the add-on docs: a square icon
of 128 px, a logo of about 250x100 px.

One geometry, drawn four times larger and scaled down (antialiasing): a charging
column with a lightning bolt on its screen and a cable to a plug, on a rounded
tile.  The text uses Pillow's own embedded font, so every machine draws the same.
Pillow comes with Home Assistant's test requirements; run with the dev venv:

    /work/main/.venv-ha2026.2/bin/python scripts/make_brand.py
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

ROOT = Path(__file__).resolve().parent.parent
BRAND = ROOT / "custom_components" / "ocpp_core" / "brand"
ADDON = ROOT / "addon"
SCALE = 4  # supersampling
TILE = {"light": (0, 137, 123), "dark": (38, 166, 154)}  # teal; lighter on a dark background
INK = {"light": (33, 33, 33), "dark": (240, 240, 240)}  # the logo's text
WHITE = (255, 255, 255)
BOLT = (255, 202, 40)


def _icon(size: int, theme: str) -> Image.Image:
    """The square icon, `size` px."""
    big = size * SCALE
    unit = big / 256  # the geometry is written for 256 px
    image = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)

    def box(x0: float, y0: float, x1: float, y1: float) -> tuple[float, float, float, float]:
        return (x0 * unit, y0 * unit, x1 * unit, y1 * unit)

    tile = TILE[theme]
    draw.rounded_rectangle(box(0, 0, 256, 256), radius=52 * unit, fill=tile)
    # the charging column, its screen and the bolt on it
    draw.rounded_rectangle(box(60, 44, 148, 212), radius=16 * unit, fill=WHITE)
    draw.rectangle(box(48, 204, 160, 220), fill=WHITE)  # the foot
    draw.rounded_rectangle(box(74, 62, 134, 138), radius=8 * unit, fill=tile)
    bolt = [(110, 70), (86, 104), (102, 104), (94, 130), (122, 94), (106, 94), (114, 70)]
    draw.polygon([(x * unit, y * unit) for x, y in bolt], fill=BOLT)
    # the cable: out of the column's side, round the corner and up to the plug
    width = round(10 * unit)
    draw.line([(144 * unit, 176 * unit), (168 * unit, 176 * unit)], fill=WHITE, width=width)
    draw.arc(box(151, 144, 187, 180), start=0, end=90, fill=WHITE, width=width)
    draw.line([(182 * unit, 162 * unit), (182 * unit, 112 * unit)], fill=WHITE, width=width)
    draw.rounded_rectangle(box(165, 84, 199, 118), radius=6 * unit, fill=WHITE)  # the plug
    draw.rectangle(box(171, 68, 177, 86), fill=WHITE)  # its pins
    draw.rectangle(box(187, 68, 193, 86), fill=WHITE)
    return image.resize((size, size), Image.Resampling.LANCZOS)


def _logo(height: int, theme: str) -> Image.Image:
    """The icon and the name beside it, `height` px high, trimmed."""
    big = height * SCALE
    font = ImageFont.load_default(size=round(big * 0.5))
    text = "OCPP Core"
    left, top, right, bottom = font.getbbox(text, stroke_width=round(big * 0.012))
    gap = round(big * 0.18)
    image = Image.new("RGBA", (big + gap + round(right - left), big), (0, 0, 0, 0))
    image.alpha_composite(_icon(big, theme))
    draw = ImageDraw.Draw(image)
    draw.text(
        (big + gap - left, (big - (bottom - top)) / 2 - top),
        text,
        font=font,
        fill=INK[theme],
        stroke_width=round(big * 0.012),
        stroke_fill=INK[theme],
    )
    trimmed = image.crop(image.getbbox())
    width = round(trimmed.width * height / trimmed.height)
    return trimmed.resize((width, height), Image.Resampling.LANCZOS)


def images() -> dict[str, Image.Image]:
    """{file name: image} of every brand image."""
    out: dict[str, Image.Image] = {}
    for theme, prefix in (("light", ""), ("dark", "dark_")):
        out[f"{prefix}icon.png"] = _icon(256, theme)
        out[f"{prefix}icon@2x.png"] = _icon(512, theme)
        out[f"{prefix}logo.png"] = _logo(128, theme)
        out[f"{prefix}logo@2x.png"] = _logo(256, theme)
    return out


def addon_images() -> dict[str, Image.Image]:
    """{file name: image} of the add-on's icon and logo (the add-on store shows no dark variants)."""
    return {"icon.png": _icon(128, "light"), "logo.png": _logo(100, "light")}


def main() -> None:
    BRAND.mkdir(exist_ok=True)
    for folder, drawn in ((BRAND, images()), (ADDON, addon_images())):
        for name, image in drawn.items():
            image.save(folder / name, optimize=True)
        print(f"wrote {len(drawn)} images to {folder}")


if __name__ == "__main__":
    main()
