"""Reading an uploaded file: the raw request body or the first file of a multipart form.

The body is read as it arrives and refused as soon as it passes the limit, so an oversized
upload costs at most the limit in memory (the app-wide ``BodyLimit`` is far larger).
"""

from __future__ import annotations

from collections.abc import AsyncGenerator

from fastapi import Request
from starlette.datastructures import UploadFile
from starlette.formparsers import MultiPartException, MultiPartParser

from runtime.service.errors import ApiError

MULTIPART_OVERHEAD = 16 * 1024
"""Room for a form's boundaries and part headers around the file itself."""


async def _capped(request: Request, limit: int, what: str) -> bytes:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise _too_large(what, limit)
    chunks: list[bytes] = []
    seen = 0
    async for chunk in request.stream():
        seen += len(chunk)
        if seen > limit:
            raise _too_large(what, limit)
        chunks.append(chunk)
    return b"".join(chunks)


def _too_large(what: str, limit: int) -> ApiError:
    return ApiError(
        413, "too_large", f"{what}: the file is larger than the {limit // 1024} KB allowed"
    )


async def read_upload(request: Request, limit: int, what: str) -> bytes:
    """The uploaded bytes (at most ``limit``); 413 past it, 422 for a form without a file."""
    content_type = request.headers.get("content-type", "")
    if not content_type.lower().startswith("multipart/form-data"):
        return await _capped(request, limit, what)
    body = await _capped(request, limit + MULTIPART_OVERHEAD, what)

    async def stream() -> AsyncGenerator[bytes, None]:
        yield body

    parser = MultiPartParser(
        request.headers, stream(), max_files=1, max_fields=10, max_part_size=limit
    )
    try:
        form = await parser.parse()
    except MultiPartException as exc:
        raise ApiError(
            422, "invalid", f"{what}: not a readable form upload ({exc.message})"
        ) from None
    files = [value for _, value in form.multi_items() if isinstance(value, UploadFile)]
    if not files:
        raise ApiError(422, "invalid", f"{what}: the form has no file in it")
    data = await files[0].read()
    await form.close()
    if len(data) > limit:
        raise _too_large(what, limit)
    return data
