"""The id of the request (or task) being handled, for its log lines: set by the request id
middleware (operations.py) and by Celery's task signals (celery.py)."""

import contextvars

_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")


def request_id() -> str:
    """The id of the request (or task) being handled, '' outside one."""
    return _request_id.get()


def request_id_set(value: str) -> contextvars.Token:
    return _request_id.set(value)


def request_id_reset(token: contextvars.Token) -> None:
    _request_id.reset(token)
