"""One-time codes: one answer per person without knowing who the person is.

A code is printed on a slip and handed out; only a salted digest is stored. Nothing records who
received which code, and the response does not point to the code it used.
"""
from __future__ import annotations

import hashlib
import secrets

#: Letters that cannot be mistaken for one another when typed from paper.
ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"
LENGTH = 8


def new_code() -> str:
    """A fresh random code, e.g. ``k7m2-q9xa`` as printed (stored form without the hyphen)."""
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def printed(code: str) -> str:
    """The code as printed: two groups of four."""
    return f"{code[:4]}-{code[4:]}"


def normalise(typed: str) -> str:
    """A code as a person may type it (capitals, spaces, hyphens) in its stored form."""
    return "".join(ch for ch in typed.lower() if ch.isalnum())[:40]


def digest(salt: str, code: str) -> str:
    """The salted digest that is stored instead of the code."""
    return hashlib.sha256(f"{salt}:{normalise(code)}".encode()).hexdigest()
