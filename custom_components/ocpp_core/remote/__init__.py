"""The remote mode: the integration on the add-on's central system (its API, docs/addon_api.md)."""
