"""Jinja2 templates (templates/), HTML-escaped; each page extends base.html.

jinja2 is imported with the first page rendered, not at start (1.7 MiB of the idle add-on's memory, issue 15).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import jinja2

TEMPLATES = Path(__file__).parent / "templates"


@cache
def environment() -> jinja2.Environment:
    import jinja2  # on demand (see above)

    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=jinja2.select_autoescape(("html",), default=True),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    return env


def render_template(template: str, /, **values: Any) -> str:
    return environment().get_template(template).render(**values)
