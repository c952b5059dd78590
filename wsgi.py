"""The WSGI entry point: `flask --app wsgi ...` and `gunicorn wsgi:app`."""
from outreach import create_app

app = create_app()
