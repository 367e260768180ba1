"""Counting the queries a page makes (CONVENTIONS: a query-count assertion on every
list page with 1 and many rows)."""

from django.db import connection
from django.test.utils import CaptureQueriesContext


def count_queries(client, url: str, params: dict | None = None) -> int:
    """The number of queries a GET of `url` makes; the page must answer 200."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params or {})
    assert response.status_code == 200, f"{url} answered {response.status_code}"
    return len(queries)


def count_queries_of(function, /, *args, **kwargs) -> int:
    """The number of queries `function(*args, **kwargs)` makes."""
    with CaptureQueriesContext(connection) as queries:
        function(*args, **kwargs)
    return len(queries)
