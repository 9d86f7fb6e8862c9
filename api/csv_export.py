"""CSV downloads (analytics shares, the audit log): one formula guard and one way to stream.

Spreadsheets run a cell that starts with = + - @ (or a tab / carriage return before one) as a
formula, so any text a person typed — a caption, a display name, an email — could run in an
admin's spreadsheet (CSV injection). Every exported cell goes through `safe`.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator, Sequence

from flask import Response, stream_with_context

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
CHUNK_ROWS = 500


def safe(value: object) -> object:
    """`value`, with a leading apostrophe when a spreadsheet would read it as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def csv_chunks(header: Sequence[str], rows: Iterable[Sequence[object]], *,
               done: Callable[[], None] | None = None) -> Iterator[str]:
    """The header and `rows` as CSV text, CHUNK_ROWS rows a chunk, every cell through `safe`.

    `done` runs once every row is read, before the last chunk goes out (a caller ends its read
    transaction there rather than when the client has taken the last byte).
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    for i, row in enumerate(rows):
        writer.writerow([safe(v) for v in row])
        if i % CHUNK_ROWS == CHUNK_ROWS - 1:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    if done is not None:
        done()
    yield buffer.getvalue()


def csv_response(header: Sequence[str], rows: Iterable[Sequence[object]], filename: str, *,
                 done: Callable[[], None] | None = None) -> Response:
    """A streamed text/csv download. The rows are read while the body streams, inside the request's
    application context (stream_with_context keeps it — and its database session — until the end)."""
    return Response(stream_with_context(csv_chunks(header, rows, done=done)), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})
