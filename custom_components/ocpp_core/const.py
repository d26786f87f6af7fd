"""Constants of the OCPP Core integration."""

from __future__ import annotations

from typing import Final

DOMAIN: Final = "ocpp_core"

CONF_HEARTBEAT_INTERVAL: Final = "heartbeat_interval"
CONF_DEFAULT_ID_TAG: Final = "default_id_tag"
CONF_STRICT_VALIDATION: Final = "strict_validation"

DEFAULT_HOST: Final = "0.0.0.0"
DEFAULT_PORT: Final = 9000
DEFAULT_HEARTBEAT_INTERVAL: Final = 300
DEFAULT_ID_TAG: Final = "HomeAssistant"

STORAGE_VERSION: Final = 1
SAVE_DELAY_SECONDS: Final = 10
