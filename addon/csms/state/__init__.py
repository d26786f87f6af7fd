"""The store: central state, persistence, history, the reports and events it records, tags."""
