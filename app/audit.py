"""Writing the audit log: one call per staff change, committed with the change itself."""
from __future__ import annotations

from flask_login import current_user

from app.db import db
from app.models import AuditEntry


def record(action: str, target: str = "", summary: str = "", **details) -> AuditEntry:
    """Add an audit entry for the current user (none from the command line) to the session."""
    user_id = current_user.id if current_user and getattr(current_user, "is_authenticated", False) else None
    entry = AuditEntry(user_id=user_id, action=action, target=target, summary=summary,
                       details=details)
    db.session.add(entry)
    return entry
