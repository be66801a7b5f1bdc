"""Message contracts shared by every walletscan service.

Subjects, stream settings, the CloudEvents envelope and event payloads are spelled here and
nowhere else, so a rename is one edit and a broken contract is a type error.
"""
