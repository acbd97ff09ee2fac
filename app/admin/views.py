"""Admin pages: create, deactivate and reactivate staff accounts; read the audit log."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext
from flask_login import current_user
from sqlalchemy import select

from app import accounts
from app.admin.forms import UserForm
from app.audit import record
from app.db import db
from app.models import AuditEntry, District, Quarter, User
from app.permissions import is_admin, require
from app.security import login_manager

bp = Blueprint("admin", __name__)

#: How many audit entries the log page shows.
AUDIT_PAGE = 200


@bp.before_request
def require_admin():
    """Admins only."""
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    require(is_admin)


@bp.route("/users", methods=["GET", "POST"])
def list_users():
    """Every staff account, and a form to add one."""
    form = UserForm()
    form.districts.choices = [(d.id, f"{d.code} {d.name}") for d in
                              db.session.scalars(select(District).order_by(District.code))]
    form.quarters.choices = [(q.id, f"{q.code} {q.name}") for q in
                             db.session.scalars(select(Quarter).order_by(Quarter.code))]
    if form.validate_on_submit():
        try:
            user = accounts.create_user(form.email.data, form.password.data, form.role.data, form.name.data)
        except accounts.AccountError:
            form.email.errors.append(gettext("There is already an account with this email address."))
        else:
            user.is_city_wide = form.is_city_wide.data or not (form.districts.data or form.quarters.data)
            if not user.is_city_wide:
                user.districts = [db.session.get(District, i) for i in form.districts.data]
                user.quarters = [db.session.get(Quarter, i) for i in form.quarters.data]
            record("user.create", f"user:{user.id}", f"{user.email} ({user.role})")
            db.session.commit()
            flash(gettext("The account %(email)s was created.", email=user.email))
            return redirect(url_for(".list_users"))
    users = db.session.scalars(select(User).order_by(User.email)).all()
    return render_template("admin/users.html", users=users, form=form), 422 if form.errors else 200


@bp.route("/users/<int:user_id>/<any(deactivate, activate):change>", methods=["POST"])
def change_user(user_id: int, change: str):
    """Deactivate or reactivate an account (never one's own)."""
    user = db.get_or_404(User, user_id)
    if user.id == current_user.id:
        abort(400)
    user.is_enabled = change == "activate"
    record(f"user.{change}", f"user:{user.id}", user.email)
    db.session.commit()
    return redirect(url_for(".list_users"))


@bp.route("/audit")
def show_audit_log():
    """The newest audit entries."""
    entries = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(AUDIT_PAGE)).all()
    return render_template("admin/audit.html", entries=entries)
