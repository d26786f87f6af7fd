"""Constants of the OCPP Core integration."""

from __future__ import annotations

from typing import Final

DOMAIN: Final = "ocpp_core"
# the config entry version: 2 scoped unique ids and device identifiers by the entry (__init__.async_migrate)
CONFIG_VERSION: Final = 2

CONF_HEARTBEAT_INTERVAL: Final = "heartbeat_interval"
CONF_DEFAULT_ID_TAG: Final = "default_id_tag"
CONF_STRICT_VALIDATION: Final = "strict_validation"
CONF_UNKNOWN_CHARGERS: Final = "unknown_chargers"
CONF_HISTORY_SIZE: Final = "history_size"
# load management: the step of the current-limit numbers (A)
CONF_LIMIT_STEP: Final = "limit_step"
DEFAULT_LIMIT_STEP: Final = 1.0
# load management: at most one batch of limits per charger this often (s); what is set meanwhile waits, the latest wins
CONF_LIMIT_INTERVAL: Final = "limit_interval"
DEFAULT_LIMIT_INTERVAL: Final = 10
DEFAULT_HISTORY_SIZE: Final = 1000
# messages per second a charger may send on average before it is closed (0: no limit); chargers replaying a long
# offline queue, or sending bursts of their own, may need more
CONF_MAX_MESSAGE_RATE: Final = "max_message_rate"
DEFAULT_MAX_MESSAGE_RATE: Final = 50
MAX_MESSAGE_RATE: Final = 10_000
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

# how chargers prove who they are (OCPP security profiles): 0 none, 1 HTTP Basic, 2 TLS + Basic, 3 mutual TLS
CONF_SECURITY_PROFILE: Final = "security_profile"
SECURITY_PROFILES: Final = ("0", "1", "2", "3")
CONF_CERTFILE: Final = "certfile"
CONF_KEYFILE: Final = "keyfile"
CONF_CAFILE: Final = "cafile"
# Home Assistant OS keeps its own certificate here (e.g. from the Let's Encrypt or DuckDNS add-ons)
DEFAULT_CERTFILE: Final = "/ssl/fullchain.pem"
DEFAULT_KEYFILE: Final = "/ssl/privkey.pem"

STORAGE_VERSION: Final = 1
SAVE_DELAY_SECONDS: Final = 10

# the mode of an entry: the central system in Home Assistant (embedded: no mode in the entry, the default), or the
# add-on's (remote: host and port of its API, its token)
CONF_MODE: Final = "mode"
MODE_EMBEDDED: Final = "embedded"
MODE_REMOTE: Final = "remote"
CONF_API_TOKEN: Final = "api_token"
# the add-on's API port (its discovery message names it api_port; port is the chargers')
DEFAULT_ADDON_API_PORT: Final = 8099
