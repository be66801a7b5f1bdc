"""One provider's fetch worker: provider clients with retries, limits and breakers."""
