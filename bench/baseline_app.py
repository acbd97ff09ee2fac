"""The baseline of the throughput benchmark: the least a Flask app must do to take a survey.

GET ``/`` renders a five-question form with a CSRF token; POST validates it with WTForms, stores
one response and its five answers (two tables, like the real app) with SQLAlchemy and redirects
(303) to ``/thanks``. Database from ``DATABASE_URL``; tables are created at start. On SQLite it
sets the same pragmas as the real app (WAL, busy timeout), so that both pay the same for the disk.
"""
from __future__ import annotations

import os
from datetime import date

from flask import Flask, redirect, render_template, url_for
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect, FlaskForm
from jinja2 import DictLoader
from sqlalchemy import Date, Float, ForeignKey, String, Text, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from wtforms import IntegerField, RadioField, SelectField, StringField
from wtforms.validators import InputRequired, Length, NumberRange, Optional


class Base(DeclarativeBase):
    """Base class of the two models."""


db = SQLAlchemy(model_class=Base)


class Response(db.Model):
    """One submitted form (own table names: the real app's tables may share the database)."""

    __tablename__ = "baseline_responses"
    id: Mapped[int] = mapped_column(primary_key=True)
    submitted_on: Mapped[date] = mapped_column(Date)
    answers: Mapped[list[Answer]] = relationship(cascade="all, delete-orphan")


class Answer(db.Model):
    """One answer: an option, a number or a text."""

    __tablename__ = "baseline_answers"
    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(ForeignKey("baseline_responses.id"), index=True)
    question: Mapped[str] = mapped_column(String(40))
    option_code: Mapped[str | None] = mapped_column(String(80))
    number: Mapped[float | None] = mapped_column(Float)
    text: Mapped[str | None] = mapped_column(Text)


CHOICES = [("bus", "Bus"), ("bike", "Fahrrad"), ("foot", "Zu Fuß"), ("car", "Auto"), ("other", "Anders")]


class SurveyForm(FlaskForm):
    """Five questions: a scale 1–5, a single choice, a whole number, a short text and a select."""

    satisfaction = RadioField("Wie zufrieden sind Sie?", choices=[(str(i), str(i)) for i in range(1, 6)],
                              validators=[InputRequired()])
    transport = RadioField("Wie kommen Sie her?", choices=CHOICES, validators=[InputRequired()])
    minutes = IntegerField("Wie viele Minuten bis zur Haltestelle?",
                           validators=[Optional(), NumberRange(min=0, max=300)])
    wish = StringField("Was wünschen Sie sich?", validators=[Optional(), Length(max=200)])
    visits = SelectField("Wie oft sind Sie hier?", validators=[InputRequired()],
                         choices=[("weekly", "Jede Woche"), ("monthly", "Jeden Monat"), ("rarely", "Selten"),
                                  ("first", "Zum ersten Mal"), ("never", "Nie")])


#: The three templates, compiled once and cached as files would be.
TEMPLATES = {"page.html": """<!doctype html><html lang="de"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>Umfrage</title></head>
<body><main>{% block main %}{% endblock %}</main></body></html>""",
             "form.html": """{% extends "page.html" %}{% block main %}<h1>Umfrage</h1>
<form method="post" novalidate>{{ form.csrf_token }}
{% for field in [form.satisfaction, form.transport] %}<fieldset><legend>{{ field.label.text }}</legend>
{% for option in field %}<label>{{ option() }} {{ option.label.text }}</label>{% endfor %}
{% for error in field.errors %}<p>{{ error }}</p>{% endfor %}</fieldset>{% endfor %}
{% for field in [form.minutes, form.wish, form.visits] %}<p>{{ field.label() }} {{ field() }}
{% for error in field.errors %}{{ error }}{% endfor %}</p>{% endfor %}
<button type="submit">Absenden</button></form>{% endblock %}""",
             "thanks.html": """{% extends "page.html" %}{% block main %}<h1>Vielen Dank!</h1>
<p>Ihre Antworten sind gespeichert.</p>{% endblock %}"""}


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record):
    """The real app's SQLite settings: readers and one writer side by side, waiting when busy."""
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()


def create_app(database_url: str | None = None) -> Flask:
    """The baseline app on ``database_url`` (default: ``DATABASE_URL``), its tables created."""
    app = Flask(__name__)
    app.config.update(SECRET_KEY=os.environ.get("SECRET_KEY", "baseline"),
                      SQLALCHEMY_DATABASE_URI=database_url or os.environ["DATABASE_URL"],
                      SESSION_COOKIE_SECURE=os.environ.get("SESSION_COOKIE_SECURE", "") == "true")
    app.jinja_loader = DictLoader(TEMPLATES)
    db.init_app(app)
    CSRFProtect(app)

    @app.route("/", methods=["GET", "POST"])
    def survey():
        form = SurveyForm()
        if form.validate_on_submit():
            response = Response(submitted_on=date.today(), answers=[
                Answer(question="satisfaction", option_code=form.satisfaction.data),
                Answer(question="transport", option_code=form.transport.data),
                Answer(question="minutes", number=form.minutes.data),
                Answer(question="wish", text=form.wish.data),
                Answer(question="visits", option_code=form.visits.data),
            ])
            db.session.add(response)
            db.session.commit()
            return redirect(url_for("thanks"), 303)
        return render_template("form.html", form=form), 422 if form.errors else 200

    @app.route("/thanks")
    def thanks():
        return render_template("thanks.html")

    with app.app_context():
        db.create_all()
        db.engine.dispose()  # gunicorn forks the workers from here: none may inherit a connection
    return app
