"""Public HTTP and WebSocket API."""
