"""The brand images Home Assistant 2026.3+ shows from the integration's brand/ folder follow the brands rules."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

BRAND = Path(__file__).resolve().parent.parent / "custom_components" / "ocpp_core" / "brand"


@pytest.mark.parametrize("prefix", ["", "dark_"])
def test_icons_are_square_256_and_512(prefix: str) -> None:
    for name, size in ((f"{prefix}icon.png", 256), (f"{prefix}icon@2x.png", 512)):
        with Image.open(BRAND / name) as image:
            assert (image.format, image.mode, image.size) == ("PNG", "RGBA", (size, size)), name
            assert image.getpixel((0, 0))[3] == 0, name  # transparent background (the tile's rounded corner)
            assert image.getbbox() == (0, 0, size, size), name  # trimmed


@pytest.mark.parametrize("prefix", ["", "dark_"])
def test_logos_have_their_shortest_side_128_and_256(prefix: str) -> None:
    sizes = []
    for name, height in ((f"{prefix}logo.png", 128), (f"{prefix}logo@2x.png", 256)):
        with Image.open(BRAND / name) as image:
            assert (image.format, image.mode) == ("PNG", "RGBA"), name
            assert image.height == height and image.width > height, name
            assert image.getbbox() == (0, 0, image.width, image.height), name  # trimmed
            sizes.append(image.size)
    assert abs(sizes[1][0] - 2 * sizes[0][0]) <= 2  # @2x is the same logo twice as large


def test_only_the_names_home_assistant_reads() -> None:
    names = {
        f"{prefix}{kind}{scale}.png" for prefix in ("", "dark_") for kind in ("icon", "logo") for scale in ("", "@2x")
    }
    assert {path.name for path in BRAND.iterdir()} == names
