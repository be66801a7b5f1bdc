"""Wallet input parsing and HD address derivation for the Bitcoin family."""
