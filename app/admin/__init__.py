"""Admins: staff accounts and the audit log."""
