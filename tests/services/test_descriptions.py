"""Services registered once; services.yaml, schemas, translations and OCPP enumerations agree."""

from __future__ import annotations

import json
import re
from unittest.mock import patch

import pytest
import voluptuous as vol
from homeassistant.const import CONF_PORT
from homeassistant.core import HomeAssistant
from homeassistant.helpers.service import _SERVICES_SCHEMA, async_get_all_descriptions
from homeassistant.helpers.translation import async_get_translations
from homeassistant.util.yaml import load_yaml
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.ocpp_core import services
from custom_components.ocpp_core.const import DOMAIN
from custom_components.ocpp_core.services import fields
from custom_components.ocpp_core.services.pricing import PRICING_SCHEMAS
from custom_components.ocpp_core.services.security import SERVICE_SET_CHARGER_PASSWORD, SET_CHARGER_PASSWORD_SCHEMA
from custom_components.ocpp_core.services.tags import TAG_SCHEMAS
from sim.charger16 import connect

from ..helpers_ha import add_entry
from .conftest import COMPONENT, OCPP_SCHEMAS, answer, call, device, until

OCPP_SCHEMAS_V201 = OCPP_SCHEMAS.parent.parent / "v201" / "schemas"


async def test_services_are_registered_once_for_every_entry(hass: HomeAssistant) -> None:
    with patch("custom_components.ocpp_core.async_setup_services", wraps=services.async_setup_services) as setup:
        first = await add_entry(hass)
        second = await add_entry(hass)
    assert setup.call_count == 1
    registered = set(hass.services.async_services_for_domain(DOMAIN))
    assert registered == set(load_yaml(str(COMPONENT / "services.yaml")))
    # the second entry's chargers are served as well
    charger, task, ws = await connect(f"ws://127.0.0.1:{second.data[CONF_PORT]}", "second-port")
    await charger.boot()
    await until(hass, lambda: device(hass, "second-port", missing_ok=True) is not None)
    answer(charger, "ClearCache", {"status": "Accepted"})
    assert await call(hass, "clear_cache", {"device_id": device(hass, "second-port")}) == {"status": "Accepted"}
    await ws.close()
    task.cancel()
    # unloading one entry keeps the services for the other
    assert await hass.config_entries.async_unload(second.entry_id)
    assert set(hass.services.async_services_for_domain(DOMAIN)) == registered
    assert await hass.config_entries.async_unload(first.entry_id)


def test_services_yaml_is_valid_and_translated() -> None:
    described = load_yaml(str(COMPONENT / "services.yaml"))
    _SERVICES_SCHEMA(described)
    for language in ("en", "de"):
        strings = json.loads((COMPONENT / "translations" / f"{language}.json").read_text(encoding="utf-8"))
        translated = strings["services"]
        assert set(translated) == set(described), language
        for name, description in described.items():
            assert translated[name]["name"] and translated[name]["description"], (language, name)
            fields = description.get("fields", {})
            assert set(translated[name].get("fields", {})) == set(fields), (language, name)
            for field, spec in fields.items():
                assert translated[name]["fields"][field]["name"], (language, name, field)
                assert translated[name]["fields"][field]["description"], (language, name, field)
                select = spec.get("selector", {}).get("select")
                if select:
                    options = strings["selector"][select["translation_key"]]["options"]
                    assert set(options) == set(select["options"]), (language, name, field)


def test_service_schemas_match_services_yaml() -> None:
    described = load_yaml(str(COMPONENT / "services.yaml"))
    schemas = {service.name: service.schema for service in services.CHARGER_SERVICES}
    schemas[services.SERVICE_GET_TRANSACTIONS] = services.GET_TRANSACTIONS_SCHEMA
    schemas.update(TAG_SCHEMAS)
    schemas.update(PRICING_SCHEMAS)
    schemas[SERVICE_SET_CHARGER_PASSWORD] = SET_CHARGER_PASSWORD_SCHEMA
    assert set(schemas) == set(described)
    for name, schema in schemas.items():
        keys = {str(key) for key in schema.schema}
        required = {str(key) for key in schema.schema if isinstance(key, vol.Required)}
        fields = described[name]["fields"]
        assert keys == set(fields), name
        assert required == {field for field, spec in fields.items() if spec.get("required")}, name
        for field, spec in fields.items():
            select = spec.get("selector", {}).get("select")
            if select:  # every UI option is accepted and maps to an OCPP value
                for option in select["options"]:
                    vol.Schema(schema.schema[next(k for k in schema.schema if str(k) == field)])(option)


async def test_descriptions_load_in_home_assistant(
    hass: HomeAssistant, entry: MockConfigEntry, caplog: pytest.LogCaptureFixture
) -> None:
    descriptions = (await async_get_all_descriptions(hass))[DOMAIN]
    assert set(descriptions) == set(load_yaml(str(COMPONENT / "services.yaml")))
    assert descriptions["get_transactions"]["response"] == {"optional": False}
    assert descriptions["reset"]["response"] == {"optional": True}
    german = await async_get_translations(hass, "de", "services", [DOMAIN])
    assert german[f"component.{DOMAIN}.services.reset.name"] == "Ladestation neu starten"
    assert "services.yaml" not in caplog.text


def test_translations_use_the_same_placeholders() -> None:
    placeholder = re.compile(r"\{(\w+)\}")
    english, german = (
        json.loads((COMPONENT / "translations" / f"{language}.json").read_text(encoding="utf-8"))["exceptions"]
        for language in ("en", "de")
    )
    for key, text in english.items():
        assert set(placeholder.findall(text["message"])) == set(placeholder.findall(german[key]["message"])), key


def test_every_error_key_is_translated() -> None:
    used: set[str] = set()
    for path in (*(COMPONENT / "services").glob("*.py"), COMPONENT / "errors.py", COMPONENT / "__init__.py"):
        text = path.read_text(encoding="utf-8")
        used |= set(re.findall(r'(?:ha_error|validation_error)\(\s*"([a-z_]+)"', text))
        used |= set(re.findall(r'translation_key="([a-z_]+)"', text))
    assert {"charger_offline", "device_not_found", "invalid_call", "unsupported_version"} <= used
    for language in ("en", "de"):
        strings = json.loads((COMPONENT / "translations" / f"{language}.json").read_text(encoding="utf-8"))
        known = set(strings["exceptions"]) | set(strings.get("issues", {}))  # errors, and repair issues
        assert used <= known, (language, used - known)


@pytest.mark.parametrize(
    ("values", "schema", "path"),
    [
        (fields.RESET_TYPES, "Reset", ("properties", "type")),
        (fields.AVAILABILITY_TYPES, "ChangeAvailability", ("properties", "type")),
        (fields.TRIGGER_MESSAGES, "TriggerMessage", ("properties", "requestedMessage")),
        (fields.UPDATE_TYPES, "SendLocalList", ("properties", "updateType")),
        (
            fields.ID_TAG_STATUSES,
            "SendLocalList",
            ("properties", "localAuthorizationList", "items", "properties", "idTagInfo", "properties", "status"),
        ),
        (fields.PROFILE_PURPOSES, "ClearChargingProfile", ("properties", "chargingProfilePurpose")),
        (fields.RATE_UNITS, "GetCompositeSchedule", ("properties", "chargingRateUnit")),
        (fields.LOG_TYPES, "GetLog", ("definitions", "LogEnumType")),
        (fields.CERTIFICATE_TYPES, "InstallCertificate", ("definitions", "CertificateUseEnumType")),
        (fields.HASH_ALGORITHMS, "DeleteCertificate", ("definitions", "HashAlgorithmEnumType")),
    ],
)
def test_enumerations_match_the_ocpp_schemas(values: tuple[str, ...], schema: str, path: tuple[str, ...]) -> None:
    node = json.loads((OCPP_SCHEMAS / f"{schema}.json").read_text(encoding="utf-8"))
    for key in path:
        node = node[key]
    assert set(values) == set(node["enum"])


def test_extended_trigger_messages_match_the_schema() -> None:
    node = json.loads((OCPP_SCHEMAS / "ExtendedTriggerMessage.json").read_text(encoding="utf-8"))
    extended = set(node["definitions"]["MessageTriggerEnumType"]["enum"])
    assert set(fields.EXTENDED_TRIGGER_MESSAGES) == extended - set(fields.TRIGGER_MESSAGES)


@pytest.mark.parametrize(
    ("values", "schema", "enum"),
    [
        (fields.RESET_TYPES_V2, "ResetRequest", "ResetEnumType"),
        (fields.AVAILABILITY_TYPES, "ChangeAvailabilityRequest", "OperationalStatusEnumType"),
        (fields.TRIGGER_MESSAGES_V2, "TriggerMessageRequest", "MessageTriggerEnumType"),
        (fields.UPDATE_TYPES, "SendLocalListRequest", "UpdateEnumType"),
        (fields.LOG_TYPES, "GetLogRequest", "LogEnumType"),
        (fields.RATE_UNITS, "GetCompositeScheduleRequest", "ChargingRateUnitEnumType"),
        (fields.HASH_ALGORITHMS, "DeleteCertificateRequest", "HashAlgorithmEnumType"),
        (fields.CERTIFICATE_TYPES_V2, "InstallCertificateRequest", "InstallCertificateUseEnumType"),
        (fields.CERTIFICATE_ID_TYPES_V2, "GetInstalledCertificateIdsRequest", "GetCertificateIdUseEnumType"),
        (fields.ID_TOKEN_TYPES, "RequestStartTransactionRequest", "IdTokenEnumType"),
        (fields.REPORT_BASES, "GetBaseReportRequest", "ReportBaseEnumType"),
        (fields.ATTRIBUTE_TYPES, "GetVariablesRequest", "AttributeEnumType"),
        (fields.MESSAGE_PRIORITIES, "SetDisplayMessageRequest", "MessagePriorityEnumType"),
        (fields.MESSAGE_STATES, "SetDisplayMessageRequest", "MessageStateEnumType"),
        (fields.MESSAGE_FORMATS, "SetDisplayMessageRequest", "MessageFormatEnumType"),
    ],
)
def test_v201_enumerations_match_the_ocpp_schemas(values: tuple[str, ...], schema: str, enum: str) -> None:
    node = json.loads((OCPP_SCHEMAS_V201 / f"{schema}.json").read_text(encoding="utf-8"))
    assert set(values) == set(node["definitions"][enum]["enum"])


def test_v201_profile_purposes_are_those_clear_charging_profile_takes() -> None:
    node = json.loads((OCPP_SCHEMAS_V201 / "ClearChargingProfileRequest.json").read_text(encoding="utf-8"))
    known = set(node["definitions"]["ChargingProfilePurposeEnumType"]["enum"])
    # the external constraints are not the central system's to clear
    assert set(fields.PROFILE_PURPOSES_V2) == known - {"ChargingStationExternalConstraints"}


def test_names_of_the_same_thing_in_both_versions() -> None:
    """A value 1.6 and 2.x name differently: the 1.6 name is a 1.6 value, the 2.x name a 2.x value."""
    v16 = {*fields.TRIGGER_MESSAGES, *fields.EXTENDED_TRIGGER_MESSAGES, *fields.PROFILE_PURPOSES}
    v16 |= set(fields.CERTIFICATE_TYPES)
    v2 = {*fields.TRIGGER_MESSAGES_V2, *fields.PROFILE_PURPOSES_V2, *fields.CERTIFICATE_ID_TYPES_V2}
    for old, new in fields.V2_NAMES.items():
        assert old in v16 and old not in v2, old
        assert new in v2 and new not in v16, new
