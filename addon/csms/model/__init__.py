"""The domain model: stations, connectors, transactions, 2.x station parts, device model, events."""
