"""Staff passwords: scrypt in the real app; the cheap hash that makes test log-ins fast is
honoured only under the test configuration."""
import pytest

from app import accounts, create_app
from app.db import db
from app.models import User
from tests.conftest import CHEAP_PASSWORD_HASH, log_in


def stored_hash(app, email: str) -> str:
    with app.app_context():
        db.create_all()
        accounts.create_user(email, "a-long-password", "planner")
        db.session.commit()
        user = db.session.scalar(db.select(User).where(User.email == email))
        assert user.check_password("a-long-password") and not user.check_password("a-long-passwore")
        return user.password_hash


@pytest.mark.parametrize("config", [
    {},  # production: nothing said about hashing
    {"TEST_PASSWORD_HASH_METHOD": CHEAP_PASSWORD_HASH},  # the test switch, set where TESTING is not
], ids=["default", "test-switch-without-testing"])
def test_the_real_app_hashes_staff_passwords_with_scrypt(tmp_path, config):
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'a.sqlite'}",
                      "SECRET_KEY": "x", **config})
    assert not app.config["TESTING"]
    assert stored_hash(app, "real@example.org").startswith("scrypt:")


def test_the_test_configuration_hashes_cheaply_and_still_checks_the_password(app):
    assert app.config["TESTING"]
    accounts.create_user("quick@example.org", "a-long-password", "planner")
    user = db.session.scalar(db.select(User).where(User.email == "quick@example.org"))
    assert user.password_hash.startswith("pbkdf2:sha256:1$")
    assert user.check_password("a-long-password") and not user.check_password("a-long-passwore")


def test_a_user_made_in_production_logs_in_under_test_and_back(app, client):
    """A hash is checked by the method it names, whichever method makes new ones."""
    from werkzeug.security import generate_password_hash
    user = accounts.create_user("old@example.org", "a-long-password", "planner")
    user.password_hash = generate_password_hash("a-long-password", method="scrypt")
    db.session.commit()
    log_in(client, "old@example.org", "a-long-password")
    assert client.get("/results/").status_code == 200
