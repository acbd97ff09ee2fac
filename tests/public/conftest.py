"""Until the app factory registers the public blueprint, register it here, before any request.

A no-op once ``create_app`` registers it (``"public" in app.blueprints``).
"""
import pytest


@pytest.fixture
def app(app):
    """The shared ``app`` fixture, with the public results blueprint at ``/r``."""
    if "public" not in app.blueprints:
        from app.public.views import bp
        app.register_blueprint(bp, url_prefix="/r")
    return app
