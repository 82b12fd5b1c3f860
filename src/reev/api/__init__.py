"""reev's REST API: FastAPI app (`create_app`), reev's `/api/v1` routes and newer ones,
a durable job queue with workers, and server-sent events. See docs/api.md."""

from reev.api.app import create_app
from reev.api.settings import ApiSettings

__all__ = ["ApiSettings", "create_app"]
