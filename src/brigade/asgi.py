"""``brigade.asgi:app``: the app built from environment settings (for uvicorn)."""

from brigade.app import create_app

app = create_app()
