"""WSGI entry point: `gunicorn wsgi:app`, `flask --app wsgi ...`."""

from capture import create_app

app = create_app()
