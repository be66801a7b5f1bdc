"""Derives wallet addresses batch by batch and issues fetch commands."""
