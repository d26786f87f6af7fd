"""The options flow's sub-flows: one charger's settings, the id tags, the security settings."""
