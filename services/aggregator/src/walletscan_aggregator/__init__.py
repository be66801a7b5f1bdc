"""Folds provider facts into the wallet read model and drives the scan."""
