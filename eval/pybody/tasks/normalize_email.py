"""Sign-up form validation."""

import re

_EMAIL = re.compile(r"^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$")


def normalize_email(address: str) -> str:
    """Strip and validate an address and lowercase its domain (not the local part).
    Raise ValueError if it is invalid."""
    address = address.strip()
    if not _EMAIL.match(address):
        raise ValueError(f"invalid email: {address!r}")
    # <<<
    local, _, domain = address.rpartition("@")
    # >>>
    return f"{local}@{domain.lower()}"


def same_account(a: str, b: str) -> bool:
    return normalize_email(a) == normalize_email(b)
