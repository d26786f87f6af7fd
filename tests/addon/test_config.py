"""addon/config.yaml is what the Supervisor and the add-on linter accept, and says what the add-on needs.

A config.yaml the Supervisor cannot read does not show an error anywhere: the store skips the add-on.  So
the rules are checked here: the linter's JSON schema and its extra rules (tests/fixtures/addon-linter, a
copy of the shared linter folder), and the Supervisor's option-schema types (supervisor/apps/options.py).
"""

from __future__ import annotations

import json
import re
import subprocess
from typing import Any

import jsonschema
import pytest

from .addon_files import ADDON, LINTER, ROOT, addon_config, load_yaml

# supervisor/apps/options.py, RE_SCHEMA_ELEMENT: the option types the Supervisor knows
RE_SCHEMA_ELEMENT = re.compile(
    r"^(?:"
    r"|bool"
    r"|email"
    r"|url"
    r"|port"
    r"|device(?:\((?P<filter>subsystem=[a-z]+)\))?"
    r"|str(?:\((?P<s_min>\d+)?,(?P<s_max>\d+)?\))?"
    r"|password(?:\((?P<p_min>\d+)?,(?P<p_max>\d+)?\))?"
    r"|int(?:\((?P<i_min>-?\d+)?,(?P<i_max>-?\d+)?\))?"
    r"|float(?:\((?P<f_min>-?\d*\.?\d+)?,(?P<f_max>-?\d*\.?\d+)?\))?"
    r"|match\((?P<match>.*)\)"
    r"|list\((?P<list>.+)\)"
    r")\??$"
)
# supervisor/apps/const.py: RE_SLUG
RE_SLUG = re.compile(r"^[-_.A-Za-z0-9]+$")
# the settings the app takes (the contract with addon/ocpp_core_app), with their schema types
OPTIONS = {
    "log_level": "list(debug|info|warning|error)",
    "security_profile": "list(0|1|2|3)",
    "certfile": "str?",
    "keyfile": "str?",
    "cafile": "str?",
    "unknown_chargers": "list(accept|reject|ask)",
    "unknown_tags": "list(accept|reject)",
    "strict": "bool",
    "heartbeat_interval": "int(10,86400)",
    "meter_interval": "int(1,86400)?",
    "max_message_rate": "int(0,10000)",
    "event_retention_days": "int(1,3650)?",
    "event_retention_count": "int(100,100000000)?",
    "max_stations": "int(1,1000000)",
    "api_token": "password(16,)?",
    "database_url": "str?",
    "stripe_secret_key": "password?",
    "web_login": "bool",
}


def _bounds(match: re.Match[str]) -> tuple[float | None, float | None]:
    """The (min, max) of `str(1,)`, `int(,9)` … (None: unbounded)."""
    for prefix in "spif":
        low, high = match.group(f"{prefix}_min"), match.group(f"{prefix}_max")
        if low is not None or high is not None:
            return (None if low is None else float(low), None if high is None else float(high))
    return (None, None)


def type_problem(typ: str, value: Any) -> str | None:
    """Why `value` is not a valid `typ` option (the Supervisor's rules, a default typed as it will be read)."""
    match = RE_SCHEMA_ELEMENT.match(typ)
    if match is None:
        return f"unknown type {typ!r}"
    base = typ.rstrip("?")
    size: float
    if base.startswith(("str", "password")):
        if not isinstance(value, str):
            return f"{value!r} is not a string"
        size = len(value)
    elif base.startswith("int"):
        if isinstance(value, bool) or not isinstance(value, int):
            return f"{value!r} is not an integer"
        size = value
    elif base.startswith("float"):
        if isinstance(value, bool) or not isinstance(value, int | float):
            return f"{value!r} is not a number"
        size = value
    elif base == "bool":
        return None if isinstance(value, bool) else f"{value!r} is not a boolean"
    elif base.startswith("list"):
        choices = match.group("list").split("|")
        return None if isinstance(value, str) and value in choices else f"{value!r} is not one of {choices}"
    elif base == "port":
        ok = isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 65535
        return None if ok else f"{value!r} is not a port"
    elif base.startswith("match"):
        ok = isinstance(value, str) and re.match(match.group("match"), value)
        return None if ok else f"{value!r} does not match"
    else:  # email, url, device: strings the Supervisor checks further
        return None if isinstance(value, str) else f"{value!r} is not a string"
    low, high = _bounds(match)
    if low is not None and size < low:
        return f"{value!r} is below {low:g}"
    if high is not None and size > high:
        return f"{value!r} is above {high:g}"
    return None


def test_config_validates_against_the_linter_schema() -> None:
    config = addon_config()
    schema = json.loads((LINTER / "config.schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft7Validator.check_schema(schema)
    errors = sorted(jsonschema.Draft7Validator(schema).iter_errors(config), key=str)
    assert not errors, [f"{list(error.path)}: {error.message}" for error in errors]


def test_no_key_at_its_default_value() -> None:
    """The linter refuses a key set to its default: leave it out (hot backups, boot auto, ingress port 8099 …)."""
    config = addon_config()
    schema = json.loads((LINTER / "config.schema.json").read_text(encoding="utf-8"))
    at_default = [
        key
        for key, value in config.items()
        if "default" in schema["properties"].get(key, {}) and (value == schema["properties"][key]["default"])
    ]
    assert not at_default


def test_the_linters_extra_rules() -> None:
    config = addon_config()
    assert "watchdog" not in config  # the Dockerfile's HEALTHCHECK instead
    assert sorted(config["arch"]) == ["aarch64", "amd64"]  # the other architectures are deprecated


def test_what_the_add_on_declares() -> None:
    config = addon_config()
    assert RE_SLUG.match(config["slug"])
    assert re.fullmatch(r"\d+\.\d+\.\d+", config["version"])
    assert config["init"] is False  # s6-overlay v3 is the image's init
    # OCPP; the web UI with its own sign-in only where the user maps the port (and sets web_login)
    assert config["ports"] == {"9000/tcp": 9000, "8100/tcp": None}
    assert config["ingress"] is True
    assert "ingress_port" not in config  # 8099, the app's --ui-port in the run script
    assert config["panel_icon"] == "mdi:ev-station"
    # every Home Assistant user sees the panel; the web UI asks Core which are admins
    assert config["panel_admin"] is False and config["homeassistant_api"] is True
    assert config["discovery"] == ["ocpp_core"]  # the integration's domain
    # every add-on may POST /discovery (the Supervisor's ADDONS_API_BYPASS): no wider Supervisor API access
    assert "hassio_api" not in config and "hassio_role" not in config
    assert config["map"] == ["ssl"]  # read-only: the certificates of security profiles 2 and 3
    # a hot backup (the default) holding the app's consistent copy of the database, not the live file
    assert "backup" not in config
    assert config["backup_pre"] == "python3 -m ocpp_core_app --snapshot --data-dir /data"
    assert config["backup_post"] == "python3 -m ocpp_core_app --drop-snapshot --data-dir /data"
    assert config["backup_exclude"] == ["ocpp_core.db", "ocpp_core.db-wal", "ocpp_core.db-shm"]


def test_the_options_are_the_apps_settings() -> None:
    config = addon_config()
    assert config["schema"] == OPTIONS


def test_the_option_schema_follows_the_supervisors_rules() -> None:
    config = addon_config()
    options, schema = config["options"], config["schema"]
    assert set(options) <= set(schema), "an option the schema does not know is dropped with a warning"
    for key, typ in schema.items():
        assert isinstance(typ, str) and RE_SCHEMA_ELEMENT.match(typ), f"{key}: {typ!r} is no Supervisor type"
        if typ.endswith("?"):
            # a default makes an optional option required
            assert key not in options, f"{key} is optional ({typ}) but has a default"
        else:
            assert key in options, f"{key} is required ({typ}) but has no default: the add-on would not start"
            assert type_problem(typ, options[key]) is None, f"{key}: {type_problem(typ, options[key])}"


@pytest.mark.parametrize(
    ("typ", "value"),
    [
        ("int(10,86400)", 5),
        ("int(0,10000)", "50"),
        ("int", True),
        ("int", 1.5),
        ("bool", "false"),
        ("list(0|1|2|3)", 0),
        ("list(accept|reject|ask)", "maybe"),
        ("str(3,)", "ab"),
        ("port", 0),
        ("match(^a+$)", "b"),
        ("string", "x"),
    ],
)
def test_the_type_check_catches_wrong_defaults(typ: str, value: Any) -> None:
    assert type_problem(typ, value) is not None


@pytest.mark.parametrize(
    ("typ", "value"),
    [("int(10,86400)", 300), ("bool", False), ("list(0|1|2|3)", "0"), ("str?", ""), ("float(0.5,)", 1), ("port", 80)],
)
def test_the_type_check_passes_right_defaults(typ: str, value: Any) -> None:
    assert type_problem(typ, value) is None


@pytest.mark.parametrize("language", ["en", "de"])
def test_every_option_and_port_has_a_translated_name_and_description(language: str) -> None:
    config = addon_config()
    translations = load_yaml(ADDON / "translations" / f"{language}.yaml")
    assert set(translations) == {"configuration", "network"}
    assert set(translations["configuration"]) == set(config["schema"])
    for key, text in translations["configuration"].items():
        assert set(text) == {"name", "description"}, key
        assert all(isinstance(value, str) and value.strip() for value in text.values()), key
    assert {port.lower() for port in translations["network"]} == set(config["ports"])
    assert all(isinstance(value, str) and value.strip() for value in translations["network"].values())


def test_no_other_file_is_taken_for_an_add_on() -> None:
    """The Supervisor takes every config.yaml / .yml / .json in the repository for an add-on."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    found = [path for path in listed if path.rsplit("/", 1)[-1] in {"config.yaml", "config.yml", "config.json"}]
    assert found == ["addon/config.yaml"]


def test_repository_yaml_is_what_the_store_reads() -> None:
    repository = load_yaml(ROOT / "repository.yaml")
    assert isinstance(repository, dict)
    assert set(repository) <= {"name", "url", "maintainer"}
    assert isinstance(repository["name"], str) and repository["name"].strip()
    assert re.match(r"^https://", repository["url"])
    assert isinstance(repository.get("maintainer", ""), str)


def test_the_add_on_has_the_files_the_store_shows() -> None:
    for name in ("README.md", "DOCS.md", "CHANGELOG.md", "icon.png", "logo.png", "Dockerfile"):
        assert (ADDON / name).is_file(), name


def test_the_apps_version_is_the_add_ons() -> None:
    """The API's snapshot says the app's version (the integration's diagnostics show it): config.yaml's."""
    from ocpp_core_app import __version__  # (addon/ is on sys.path: tests/addon/conftest.py)

    assert __version__ == addon_config()["version"]
