"""HTTP routes of receipts (thin: negotiate the format, call :mod:`brigade.billing.receipts`).

``GET R/checks/{check_id}/receipt`` is a preview: it records nothing and is marked
``PREVIEW``. ``POST R/checks/{check_id}/receipt/prints`` prints: it records the print
(the first is the original, later ones are marked ``COPY``) and answers the document.
The format is ``format=html|pdf|escpos`` when given, else chosen by ``Accept``
(``text/html``, ``application/pdf``, ``application/vnd.escpos`` or
``application/octet-stream``); anything else is a 406.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Response
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool
from starlette.types import Receive, Scope, Send

from brigade.auth.dependencies import BillingRead
from brigade.billing import receipts
from brigade.billing.receipts import (
    MEDIA_TYPES,
    Receipt,
    ReceiptFormat,
    ReceiptMark,
    ReceiptNotAcceptable,
    ReceiptPrintCreate,
    ReceiptPrintRead,
)
from brigade.idempotency import dependencies as idempotency
from brigade.infra.errors import NotAuthenticated, NotFound, PermissionDenied, problem_responses
from brigade.inputs import PathId, SingleLine
from brigade.session import SessionDep

router = APIRouter(tags=["billing"])

R = "/restaurants/{restaurant_id}"
_AUTH = (NotAuthenticated, NotFound, PermissionDenied)

CheckId = PathId
FormatParam = Annotated[
    SingleLine | None,
    Query(
        alias="format",
        max_length=20,
        description="`html`, `pdf` or `escpos`; overrides `Accept`. Another value is a 406.",
    ),
]
AcceptHeader = Annotated[
    str | None,
    Header(
        alias="Accept",
        max_length=1000,
        description="`text/html` (default), `application/pdf`, `application/vnd.escpos` or "
        "`application/octet-stream` (ESC/POS bytes); wildcards as usual.",
    ),
]


def _document_content() -> dict[str, Any]:
    binary = {"schema": {"type": "string", "format": "binary"}}
    return {
        "text/html": {"schema": {"type": "string"}},
        **{media: binary for fmt, types in MEDIA_TYPES.items() if fmt != "html" for media in types},
    }


_DOCUMENT_HEADERS = {
    "Receipt-Mark": {
        "description": "`original`, `copy` or `preview`.",
        "schema": {"type": "string", "enum": [m.value for m in ReceiptMark]},
    },
}


class _Document(Response):
    """A receipt's document, rendered when the response is sent: after the request's
    unit of work has committed (the print is recorded and no transaction or lock waits
    on the rendering) and in a worker thread (a PDF takes about 0.25 s of CPU, fpdf2
    loading and subsetting the font, which the event loop's other requests would wait
    for)."""

    def __init__(
        self,
        receipt: Receipt,
        fmt: ReceiptFormat,
        *,
        status_code: int,
        media_type: str,
        headers: dict[str, str],
    ) -> None:
        super().__init__(b"", status_code=status_code, media_type=media_type, headers=headers)
        self.receipt = receipt
        self.format = fmt

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        self.body = await run_in_threadpool(receipts.render, self.receipt, self.format)
        self.headers["content-length"] = str(len(self.body))
        await super().__call__(scope, receive, send)


def _document(receipt: Receipt, fmt: ReceiptFormat, media_type: str, status: int) -> Response:
    if fmt is ReceiptFormat.html:
        media_type += "; charset=utf-8"
    extension = {"html": "html", "pdf": "pdf", "escpos": "bin"}[fmt.value]
    disposition = "inline" if fmt is not ReceiptFormat.escpos else "attachment"
    headers = {
        "Receipt-Mark": receipt.mark.value,
        "Content-Disposition": f'{disposition}; filename="receipt-{receipt.check_id}.{extension}"',
    }
    if receipt.print_number is not None:
        headers["Receipt-Print-Number"] = str(receipt.print_number)
    return _Document(receipt, fmt, status_code=status, media_type=media_type, headers=headers)


@router.get(
    R + "/checks/{check_id}/receipt",
    response_class=Response,
    responses={
        200: {
            "description": "The receipt, marked PREVIEW (nothing is recorded).",
            "content": _document_content(),
            "headers": _DOCUMENT_HEADERS,
        },
        **problem_responses(*_AUTH, ReceiptNotAcceptable),
    },
)
async def preview_receipt(
    check_id: CheckId,
    access: BillingRead,
    session: SessionDep,
    format: FormatParam = None,  # noqa: A002 - the query parameter's name
    accept: AcceptHeader = None,
) -> Response:
    """The check's receipt as it stands, as HTML, PDF or ESC/POS bytes, always marked
    ``PREVIEW``: it is not a print (``POST .../receipt/prints`` is)."""
    fmt, media_type = receipts.negotiate(format, accept)
    receipt = await receipts.receipt_of(session, access, check_id, mark=ReceiptMark.preview)
    return _document(receipt, fmt, media_type, 200)


@router.post(
    R + "/checks/{check_id}/receipt/prints",
    status_code=201,
    response_class=Response,
    responses={
        201: {
            "description": "The printed receipt: the first print is the original, "
            "every later one is marked COPY.",
            "content": _document_content(),
            "headers": {
                **_DOCUMENT_HEADERS,
                "Receipt-Print-Number": {
                    "description": "1 for the original, 2 for the first copy, ...",
                    "schema": {"type": "integer"},
                },
                **idempotency.replayed_header_doc(201)[201]["headers"],
            },
        },
        **problem_responses(*_AUTH, ReceiptNotAcceptable, *idempotency.ERRORS),
    },
)
async def print_receipt(
    check_id: CheckId,
    access: BillingRead,
    session: SessionDep,
    once: idempotency.Idempotent,
    format: FormatParam = None,  # noqa: A002 - the query parameter's name
    accept: AcceptHeader = None,
) -> Response:
    """Print the check's receipt: record the print and answer the document (HTML, PDF or
    ESC/POS bytes). The first print is the original; every later one is marked ``COPY``.
    A retry with the same ``Idempotency-Key`` records nothing and answers the same print
    again (same number and mark) with ``Idempotent-Replayed: true``."""
    fmt, media_type = receipts.negotiate(format, accept)
    answer = await once.run(
        access,
        ReceiptPrintCreate(format=fmt),
        lambda: receipts.record_print(session, access, check_id, fmt),
    )
    # With a key, the print comes back as the JSON answer stored for the key (a replay
    # when it carries the replayed header): the document is rendered from it.
    replayed = False
    if isinstance(answer, JSONResponse):
        printed = ReceiptPrintRead.model_validate_json(bytes(answer.body))
        replayed = answer.headers.get(idempotency.REPLAYED_HEADER) == "true"
    else:
        printed = answer
    receipt = await receipts.printed_receipt(session, access, printed)
    response = _document(receipt, fmt, media_type, 201)
    if replayed:
        response.headers[idempotency.REPLAYED_HEADER] = "true"
    return response
