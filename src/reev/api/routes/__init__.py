"""One router per resource; `reev.api.app` mounts them all under `/api/v1`."""
