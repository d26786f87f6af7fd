"""The wire protocol: OCPP-J frames, the RPC endpoint, JSON codec, schema validation and repair, frame log."""
