"""What a charger service is: its fields, and how each OCPP version carries it out."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import voluptuous as vol
from homeassistant.const import ATTR_DEVICE_ID
from homeassistant.core import SupportsResponse
from homeassistant.helpers import config_validation as cv

from ..csms import V2_VERSIONS, OcppVersion
from ..errors import Answer
from .target import Target

Run = Callable[[Target, dict[str, Any]], Awaitable[Answer]]


@dataclass(frozen=True, slots=True)
class Implementation:
    """How one OCPP version carries out a service."""

    run: Run
    # the service's fields this version understands; None: all of them
    fields: frozenset[str] | None = None
    # for enumerated fields: the values this version has (as the field's validator gives them)
    values: Mapping[str, frozenset[str]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ChargerService:
    """A service that asks one charger for something and returns its answer."""

    name: str
    fields: dict[vol.Marker, Any]
    implementations: Mapping[OcppVersion, Implementation]
    # answer statuses that mean the charger did not do it (an error); None: every status but Accepted
    refused: frozenset[str] | None
    response: SupportsResponse = SupportsResponse.OPTIONAL

    @property
    def schema(self) -> vol.Schema:
        return vol.Schema({vol.Required(ATTR_DEVICE_ID): cv.string, **self.fields})


def charger_service(
    name: str,
    fields: dict[vol.Marker, Any],
    refused: frozenset[str] | None,
    response: SupportsResponse = SupportsResponse.OPTIONAL,
    *,
    v16: Run | None = None,
    v2: Run | None = None,
    v16_lacks: Iterable[str] = (),
    v2_lacks: Iterable[str] = (),
    v16_values: Mapping[str, frozenset[str]] | None = None,
    v2_values: Mapping[str, frozenset[str]] | None = None,
) -> ChargerService:
    """A service with an OCPP 1.6 and / or a 2.x implementation; `*_lacks`: fields that version has no use for."""
    names = frozenset(str(key) for key in fields)
    implementations: dict[OcppVersion, Implementation] = {}
    if v16 is not None:
        implementations[OcppVersion.V16] = Implementation(v16, names - set(v16_lacks), v16_values or {})
    if v2 is not None:
        implementation = Implementation(v2, names - set(v2_lacks), v2_values or {})
        implementations.update(dict.fromkeys(V2_VERSIONS, implementation))  # 2.1 keeps 2.0.1's operations
    return ChargerService(name, fields, implementations, refused, response)


def refused(*statuses: str) -> frozenset[str]:
    return frozenset(statuses)
