"""Settings, bus, database and telemetry wiring shared by the services."""
