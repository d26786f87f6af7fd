"""The WebSocket server and what guards it: TLS, throttling, message rate."""
