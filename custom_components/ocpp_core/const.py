"""Constants of the OCPP Core integration."""

from __future__ import annotations

from typing import Final

DOMAIN: Final = "ocpp_core"

CONF_HEARTBEAT_INTERVAL: Final = "heartbeat_interval"
CONF_DEFAULT_ID_TAG: Final = "default_id_tag"
CONF_STRICT_VALIDATION: Final = "strict_validation"
CONF_UNKNOWN_CHARGERS: Final = "unknown_chargers"
CONF_HISTORY_SIZE: Final = "history_size"
# load management: the step of the current-limit numbers (A)
CONF_LIMIT_STEP: Final = "limit_step"
DEFAULT_LIMIT_STEP: Final = 1.0
DEFAULT_HISTORY_SIZE: Final = 1000
# s between meter values in a session, for chargers without their own setting; unset: leave the charger's
CONF_METER_INTERVAL: Final = "meter_interval"

# what happens when a charger nobody accepted yet boots
POLICY_ASK: Final = "ask"  # Pending, and a discovery card; Accepted once the user confirms
POLICY_ACCEPT: Final = "accept"
POLICY_REJECT: Final = "reject"
UNKNOWN_CHARGER_POLICIES: Final = (POLICY_ASK, POLICY_ACCEPT, POLICY_REJECT)
DEFAULT_UNKNOWN_CHARGERS: Final = POLICY_ASK

DEFAULT_HOST: Final = "0.0.0.0"
DEFAULT_PORT: Final = 9000
DEFAULT_HEARTBEAT_INTERVAL: Final = 300
DEFAULT_ID_TAG: Final = "HomeAssistant"

# id tags: what happens to a tag the central system does not know, and to one already in a session elsewhere
CONF_UNKNOWN_TAGS: Final = "unknown_tags"
TAGS_REJECT: Final = "reject"
TAGS_ACCEPT: Final = "accept"
UNKNOWN_TAG_POLICIES: Final = (TAGS_REJECT, TAGS_ACCEPT)
DEFAULT_UNKNOWN_TAGS: Final = TAGS_REJECT
CONF_REFUSE_CONCURRENT_TAGS: Final = "refuse_concurrent_tags"

STORAGE_VERSION: Final = 1
SAVE_DELAY_SECONDS: Final = 10
