"""The request id of the web request that enqueued a job, carried into the job's logs."""

from __future__ import annotations

from typing import Any

import structlog
from taskiq import TaskiqMessage, TaskiqMiddleware, TaskiqResult

from core.observability import REQUEST_ID_KEY, current_request_id


class RequestIdTaskMiddleware(TaskiqMiddleware):
    """Carries the HTTP request id into the jobs a request enqueues (see module docstring)."""

    def pre_send(self, message: TaskiqMessage) -> TaskiqMessage:
        request_id = current_request_id()
        if request_id and REQUEST_ID_KEY not in message.labels:
            message.labels[REQUEST_ID_KEY] = request_id
        return message

    def pre_execute(self, message: TaskiqMessage) -> TaskiqMessage:
        request_id = message.labels.get(REQUEST_ID_KEY)
        structlog.contextvars.bind_contextvars(task=message.task_name, task_id=message.task_id)
        if request_id:
            structlog.contextvars.bind_contextvars(**{REQUEST_ID_KEY: str(request_id)})
        return message

    def post_execute(self, message: TaskiqMessage, result: TaskiqResult[Any]) -> None:
        structlog.contextvars.unbind_contextvars(REQUEST_ID_KEY, "task", "task_id")
