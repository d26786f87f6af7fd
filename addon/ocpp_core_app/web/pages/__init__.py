"""The UI's areas: each module registers its pages (registry.page) when imported, in the order of AREAS (which
is the navigation's order).

Add an area: a module in this package, its name in AREAS, its texts in i18n/<area>/en.json and de.json, its
templates in templates/ (named <area>_….html).
"""

import importlib

AREAS = (
    "overview", "charger", "export", "payments", "login", "users", "admin_home", "admin_chargers", "admin_tags",
    "admin_connectors",
    "admin_inbox", "admin_log", "admin_tariffs",
)  # fmt: skip

for _area in AREAS:
    importlib.import_module(f"{__name__}.{_area}")
