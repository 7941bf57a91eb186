"""The ASGI entry point: `daphne asgi:application` or `uvicorn asgi:application`."""

from app.application import create_app
from core.settings import load_settings

application = create_app(load_settings())
