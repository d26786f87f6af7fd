"""The add-on's HTTP API (/api/v1/): state, commands, the event stream; see docs/addon_api.md."""

from .server import ApiServer, build_api

__all__ = ["ApiServer", "build_api"]
