"""Builds CSV, JSON and PDF reports into the NATS object store."""
