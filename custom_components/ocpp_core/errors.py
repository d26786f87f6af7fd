"""One translation of central-system failures, shared by entities and services.

Whatever asks a charger for something — a switch turned on, a service call —
fails the same translated way: the charger is named, and so is the reason.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Collection
from typing import Any

from homeassistant.exceptions import HomeAssistantError, ServiceValidationError

from .backend import CallContext
from .const import DOMAIN
from .csms import CallError, FieldRequires, InvalidCall, NotConnected, TagRefused, UnsupportedVersion

Answer = dict[str, Any]

# Outgoing calls to one charger go one at a time: a call may wait for the one
# before it (itself bounded by call_timeout) and then for its own answer.
_QUEUED_CALLS = 2
_SLACK_SECONDS = 1.0


class ChargerRefused(HomeAssistantError):
    """The charger answered, but did not do it (a refusing status, or a CALLERROR): `answer` is what it said.

    A service whose caller asked for the response returns `answer` instead (services/__init__.py): HA's
    REST API turns any HomeAssistantError into a bare HTTP 500, so a REST caller sees the answer only there.
    """

    def __init__(self, key: str, charger: str, answer: Answer, **placeholders: str) -> None:
        super().__init__(
            translation_domain=DOMAIN,
            translation_key=key,
            translation_placeholders={"charger": charger, **placeholders},
        )
        self.answer = answer


def ha_error(key: str, charger: str, **placeholders: str) -> HomeAssistantError:
    """A translated error about a charger (it failed, refused or is away)."""
    return HomeAssistantError(
        translation_domain=DOMAIN,
        translation_key=key,
        translation_placeholders={"charger": charger, **placeholders},
    )


def validation_error(key: str, **placeholders: str) -> ServiceValidationError:
    """A translated error about what was asked (nothing was sent)."""
    return ServiceValidationError(translation_domain=DOMAIN, translation_key=key, translation_placeholders=placeholders)


def version_name(central: CallContext, station_id: str) -> str:
    station = central.stations.get(station_id)
    version = station.ocpp_version if station is not None else None
    return version.value if version is not None else "?"


async def ocpp_call(
    central: CallContext,
    station_id: str,
    send: Callable[[], Awaitable[Answer]],
    refused: Collection[str] | None = None,
    bounded: bool = True,
) -> Answer:
    """Run one request to a charger; every way it can fail becomes a translated error.

    `refused` are the answer statuses that mean the charger did not do it; None
    means every status but Accepted.  The whole request is bounded in time, so a
    charger that never answers cannot keep Home Assistant waiting (`bounded` False: what only queues
    in the central system, e.g. a limit, is not timed).
    """
    budget = central.config.call_timeout * _QUEUED_CALLS + _SLACK_SECONDS
    try:
        async with asyncio.timeout(budget if bounded else None):
            answer = await send()
    except NotConnected as err:
        raise ha_error("charger_offline", station_id) from err
    except TimeoutError as err:  # CallTimeout, or our own bound
        raise ha_error("charger_timeout", station_id) from err
    except CallError as err:
        error = f"{err.code} {err.description}".strip()
        failure = {"error": err.code, "description": err.description}
        raise ChargerRefused("charger_error", station_id, failure, error=error) from err
    except InvalidCall as err:
        raise validation_error("invalid_call", charger=station_id, reason=str(err)) from err
    except FieldRequires as err:  # (found here, or by the add-on: the same check)
        raise validation_error("field_requires", field=err.field, requires=err.requires) from err
    except TagRefused as err:
        raise validation_error(
            "remote_start_tag_refused", charger=station_id, tag=err.id_tag, status=err.status
        ) from err
    except UnsupportedVersion as err:
        raise validation_error(
            "unsupported_version", charger=station_id, version=version_name(central, station_id)
        ) from err
    status = answer.get("status")
    if status is not None and (status != "Accepted" if refused is None else status in refused):
        raise ChargerRefused("charger_rejected", station_id, answer, status=str(status))
    return answer
