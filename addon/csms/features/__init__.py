"""Features built on the model and the state: limits, local lists, meter intervals, credentials, retention."""
