"""A session's chart: its energy (kWh since the start) and power (kW) over time, as inline SVG from the store's
meter samples (no script, no library)."""

from __future__ import annotations

from datetime import datetime

from markupsafe import Markup, escape

from .formats import number

WIDTH, HEIGHT = 480, 220
LEFT, RIGHT, TOP, BOTTOM = 40, 40, 14, 30


def _points(values: list[tuple[float, float]], t0: float, t1: float, top: float) -> str:
    span = max(t1 - t0, 1.0)
    inner_w, inner_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    return " ".join(
        f"{LEFT + (t - t0) / span * inner_w:.1f},{TOP + inner_h - (v / top if top else 0) * inner_h:.1f}"
        for t, v in values
    )


def session_chart(
    lang: str, samples: list[tuple[str, float, float | None]], meter_start_wh: float | None, labels: dict[str, str]
) -> Markup:
    """Energy counted from the session's meter start (else its first sample); `labels`: the translated
    "energy", "power", "none" (no samples)."""
    if len(samples) < 2:
        return Markup('<p class="muted">{}</p>').format(labels["none"])
    times = [datetime.fromisoformat(t).timestamp() for t, _, _ in samples]
    start_wh = meter_start_wh if meter_start_wh is not None else samples[0][1]
    energy = [(t, max(e - start_wh, 0.0) / 1000) for t, (_, e, _) in zip(times, samples, strict=True)]
    power = [(t, p / 1000) for t, (_, _, p) in zip(times, samples, strict=True) if p is not None]
    top_e = max(max(v for _, v in energy), 0.1)
    top_p = max((max(v for _, v in power) if power else 0.0), 0.1)
    t0, t1 = times[0], times[-1]
    first = datetime.fromtimestamp(t0).astimezone().strftime("%H:%M")
    last = datetime.fromtimestamp(t1).astimezone().strftime("%H:%M")
    bottom = HEIGHT - BOTTOM
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{escape(labels["energy"])}, '
        f'{escape(labels["power"])}">',
        f'<line class="axis" x1="{LEFT}" y1="{bottom}" x2="{WIDTH - RIGHT}" y2="{bottom}"/>',
        f'<line class="axis" x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{bottom}"/>',
        f'<line class="axis" x1="{WIDTH - RIGHT}" y1="{TOP}" x2="{WIDTH - RIGHT}" y2="{bottom}"/>',
        f'<polyline class="energy" points="{_points(energy, t0, t1, top_e)}"/>',
    ]
    if len(power) >= 2:
        parts.append(f'<polyline class="power" points="{_points(power, t0, t1, top_p)}"/>')
    parts += [
        f'<text class="energy-label" x="{LEFT - 4}" y="{TOP + 10}" text-anchor="end">{number(lang, top_e, 2)}</text>',
        f'<text class="energy-label" x="{LEFT - 4}" y="{bottom}" text-anchor="end">0</text>',
        f'<text class="power-label" x="{WIDTH - RIGHT + 4}" y="{TOP + 10}">{number(lang, top_p, 1)}</text>',
        f'<text x="{LEFT}" y="{HEIGHT - 8}">{first}</text>',
        f'<text x="{WIDTH - RIGHT}" y="{HEIGHT - 8}" text-anchor="end">{last}</text>',
        "</svg>",
        f'<p class="legend"><span class="energy-key">{escape(labels["energy"])} (kWh)</span> '
        f'<span class="power-key">{escape(labels["power"])} (kW)</span></p>',
    ]
    return Markup("".join(parts))
