"""Residents' side: the survey reached through a QR code, answered without an account."""
