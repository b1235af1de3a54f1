"""Receipts of checks: one :class:`Receipt`, rendered as HTML, PDF or ESC/POS bytes.

A receipt is assembled from the check (:class:`~brigade.billing.schemas.CheckRead`), its
order's lines (modifiers and notes) and its payments by :func:`assemble` — a pure
function, so that a new kind of amount on the check (taxes per rate, a service charge,
discounts with reasons) is one function here (:func:`taxes_of`, :func:`adjustments_of`)
and every format shows it. Three renderers take the same receipt:

* :func:`render_html`: the Jinja2 template ``templates/receipt.html.j2`` (package data),
  autoescaped;
* :func:`render_pdf`: fpdf2, an 80 mm wide page as long as the receipt, in the bundled
  DejaVu Sans Mono (``fonts/``; Bitstream Vera licence), laid out as the printer's
  :data:`COLUMNS` columns;
* :func:`render_escpos`: python-escpos's ``Dummy`` printer, whose ``output`` is the
  bytes for a receipt printer (starting with ESC @, ending with a cut).

The PDF's font and the printers' code pages cover Latin, Greek and Cyrillic text; other
scripts (CJK) are not drawn in the PDF (fpdf2 logs the missing glyphs); on ESC/POS
python-escpos encodes each character in a code page of the printer's profile, else
prints ``?``; the HTML shows every script.

Amounts are minor units of the check's currency, written by Babel for the restaurant's
locale with the currency's ISO 4217 decimals
(:func:`~brigade.restaurants.service.currency_exponent`: ``JPY`` 0; not CLDR's, which drop
the cents of e.g. ``HUF``); times are stored in UTC and written in the restaurant's time
zone.

Prints: ``POST .../receipt/prints`` records a :class:`~brigade.billing.models.ReceiptPrint`
(:func:`record_print`) and answers the document: print 1 is the original, every later
one is marked ``COPY``. ``GET .../receipt`` is a preview that records nothing and is
always marked ``PREVIEW``, so that no document handed to a guest without a print record
looks like an original.
"""

from __future__ import annotations

import copy
import textwrap
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Literal, cast
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_datetime
from escpos.printer import Dummy
from fpdf import FPDF
from fpdf.enums import XPos, YPos
from jinja2 import Environment, PackageLoader
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import Table, bindparam, func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from brigade import money
from brigade.auth.dependencies import Access
from brigade.auth.permissions import Permission
from brigade.billing import service
from brigade.billing.models import Check, ReceiptPrint
from brigade.billing.pricing import DiscountKind
from brigade.billing.schemas import CheckLineRead, CheckRead, CheckStatus, PaymentMethod
from brigade.events.outbox import record
from brigade.infra.db import utcnow
from brigade.infra.errors import BrigadeError, NotFound
from brigade.orders.schemas import OrderItemRead
from brigade.orders.service import get_order_row, order_opened_by
from brigade.restaurants.schemas import RestaurantRead
from brigade.restaurants.service import currency_exponent, read_restaurant, staff_display_name
from brigade.tables.api import table_name_of
from brigade.tenancy import RID, scoped

RECEIPT_PRINTED = "receipt.printed"

#: Tip suggestions on a receipt without a tip, in percent of the total before tip
#: (North American practice: 15, 18 and 20 %).
TIP_SUGGESTION_PERCENTS: tuple[int, ...] = (15, 18, 20)
#: Characters per line of the ESC/POS and PDF layouts: 42 fits an 80 mm roll in font A
#: (48 columns on most printers, 42 on the narrowest 80 mm heads) and the PDF's 72 mm of
#: text at 8 pt.
COLUMNS = 42


class ReceiptFormat(StrEnum):
    """The document a receipt is rendered as."""

    html = "html"
    pdf = "pdf"
    escpos = "escpos"


class ReceiptMark(StrEnum):
    """What a document says it is: the ``original`` (first print), a ``copy`` (every
    reprint) or a ``preview`` (``GET .../receipt``, not a print)."""

    original = "original"
    copy = "copy"
    preview = "preview"


#: The media types of each format, the first one answered unless the client asked for
#: another of them.
MEDIA_TYPES: dict[ReceiptFormat, tuple[str, ...]] = {
    ReceiptFormat.html: ("text/html",),
    ReceiptFormat.pdf: ("application/pdf",),
    ReceiptFormat.escpos: ("application/vnd.escpos", "application/octet-stream"),
}
_BY_MEDIA_TYPE = {media: fmt for fmt, types in MEDIA_TYPES.items() for media in types}
_WILDCARDS = {
    "*/*": ReceiptFormat.html,
    "text/*": ReceiptFormat.html,
    "application/*": ReceiptFormat.pdf,
}


class ReceiptNotAcceptable(BrigadeError):
    """The receipt was asked for in a format it has not (``format`` or ``Accept``);
    extension ``available``: the formats and media types it has."""

    status = 406
    type = "not-acceptable"
    title = "The receipt is not available in the requested format"


def negotiate(format_param: str | None, accept: str | None) -> tuple[ReceiptFormat, str]:
    """The format and media type to answer: ``format_param`` (``html``, ``pdf`` or
    ``escpos``) when given, else the ``Accept`` header's most preferred media range
    (RFC 9110 §12.5.1: highest ``q`` first, then the order given; ``q=0`` refuses) among
    :data:`MEDIA_TYPES` and the wildcards ``*/*`` and ``text/*`` (HTML) and
    ``application/*`` (PDF). No ``Accept`` is HTML.

    Raises :class:`ReceiptNotAcceptable` (406) when nothing fits."""
    if format_param is not None:
        try:
            fmt = ReceiptFormat(format_param.strip().lower())
        except ValueError:
            detail = f"format {format_param!r} is not one of html, pdf, escpos"
            raise _not_acceptable(detail) from None
        return fmt, MEDIA_TYPES[fmt][0]
    if accept is None or not accept.strip():
        return ReceiptFormat.html, MEDIA_TYPES[ReceiptFormat.html][0]
    ranges: list[tuple[float, int, str]] = []
    for position, part in enumerate(accept.split(",")):
        media, *params = (p.strip() for p in part.split(";"))
        q = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        if q > 0 and media:
            ranges.append((-q, position, media.lower()))
    for _, _, media in sorted(ranges):
        if media in _BY_MEDIA_TYPE:
            return _BY_MEDIA_TYPE[media], media
        if media in _WILDCARDS:
            fmt = _WILDCARDS[media]
            return fmt, MEDIA_TYPES[fmt][0]
    raise _not_acceptable(f"no receipt format matches Accept: {accept[:200]}")


def _not_acceptable(detail: str) -> ReceiptNotAcceptable:
    available = {fmt.value: list(types) for fmt, types in MEDIA_TYPES.items()}
    return ReceiptNotAcceptable(detail, available=available)


# --- the receipt ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ReceiptModifier:
    """A modifier chosen on a line; ``price_delta`` per unit, minor units."""

    name: str
    price_delta: int


@dataclass(frozen=True, slots=True)
class ReceiptLine:
    """A billed line: ``quantity`` × ``label`` (name and variation), ``line_total`` in
    minor units (modifiers included), the chosen ``modifiers`` and the waiter's
    ``notes``."""

    quantity: int
    label: str
    line_total: int
    modifiers: tuple[ReceiptModifier, ...] = ()
    notes: str = ""


@dataclass(frozen=True, slots=True)
class ReceiptAdjustment:
    """An amount between the subtotal and the total other than tax (a discount or comp
    is negative, a service charge positive), minor units; ``rate_bp`` when it is a rate
    (a percent discount, the service charge), written after the label."""

    label: str
    amount: int
    rate_bp: int | None = None


@dataclass(frozen=True, slots=True)
class ReceiptTax:
    """One tax rate's amount on the check (minor units): contained in the prices when
    ``inclusive`` (shown under the total), added on top otherwise."""

    label: str
    rate_bp: int
    inclusive: bool
    amount: int


@dataclass(frozen=True, slots=True)
class ReceiptPayment:
    """A payment: what it settled (``amount``), cash ``tendered`` and ``change`` given
    back, its ``tip``, and the cash ``rounding`` (the guest paid ``amount + rounding``);
    minor units."""

    label: str
    method: str
    amount: int
    tendered: int | None = None
    change: int = 0
    tip: int = 0
    rounding: int = 0


@dataclass(frozen=True, slots=True)
class TipSuggestion:
    """A suggested tip: ``percent`` of the total before tip, the ``tip`` (minor units,
    rounded half-up) and the ``total`` with it."""

    percent: int
    tip: int
    total: int


@dataclass(frozen=True, slots=True)
class Receipt:
    """Everything a receipt shows, in minor units of ``currency`` and UTC times.

    ``issued_at`` is when the check was paid (else when this document was made,
    ``printed_at``). ``mark`` and ``print_number`` (``None`` for a preview) say whether
    it is the original, a copy or a preview. ``total`` is before tip; ``balance`` what
    is left to pay, ``cash_due`` the balance rounded to the restaurant's cash unit.
    """

    restaurant_name: str
    address_lines: tuple[str, ...]
    locale: str
    time_zone: str
    currency: str
    check_id: int
    order_id: int
    status: CheckStatus
    table: str | None
    waiter: str | None
    issued_at: datetime
    printed_at: datetime
    mark: ReceiptMark
    print_number: int | None
    lines: tuple[ReceiptLine, ...]
    subtotal: int
    adjustments: tuple[ReceiptAdjustment, ...]
    taxes: tuple[ReceiptTax, ...]
    total: int
    tip_total: int
    paid_total: int
    balance: int
    payments: tuple[ReceiptPayment, ...]
    tip_suggestions: tuple[TipSuggestion, ...] = field(default=())
    cash_due: int | None = None

    @property
    def title(self) -> str:
        """``Receipt`` for a paid check, ``Bill`` for one still open."""
        return "Receipt" if self.status is CheckStatus.paid else "Bill"

    @property
    def mark_label(self) -> str:
        """``COPY`` or ``PREVIEW`` (empty for the original)."""
        return "" if self.mark is ReceiptMark.original else self.mark.value.upper()


def taxes_of(check: CheckRead) -> tuple[ReceiptTax, ...]:
    """The taxes the receipt shows, one per rate of the check (``check.taxes``, by the
    rate's name, which the receipt follows with the rate unless the name has a ``%``; a
    rate at 0 with no tax is left out). A check without per-rate taxes shows its
    ``tax_total`` at the default rate (``tax_rate_bp``, ``tax_inclusive``)."""
    if check.taxes:
        return tuple(
            ReceiptTax(t.name or _tax_label(t.inclusive), t.rate_bp, t.inclusive, t.tax)
            for t in check.taxes
            if t.rate_bp or t.tax
        )
    if check.tax_rate_bp == 0 and check.tax_total == 0:
        return ()
    label = _tax_label(check.tax_inclusive)
    return (ReceiptTax(label, check.tax_rate_bp, check.tax_inclusive, check.tax_total),)


def _tax_label(inclusive: bool) -> str:
    return "VAT" if inclusive else "Tax"


def adjustments_of(check: CheckRead) -> tuple[ReceiptAdjustment, ...]:
    """What lies between the subtotal and the total besides tax, in this order: each
    discount and comp of ``check.discounts`` (negative, with its reason, and the line's
    name for a line's), then the service charge at ``service_charge_bp``. A check
    without discount rows shows its ``discount_total`` as one discount. They add up:
    ``subtotal + sum(amounts) +`` exclusive taxes ``= total``."""
    names = {line.order_item_id: line.name for line in check.lines}
    adjustments: list[ReceiptAdjustment] = []
    for d in check.discounts:
        kind = "Comp" if d.kind is DiscountKind.comp else "Discount"
        target = names.get(d.order_item_id) if d.order_item_id is not None else None
        label = " ".join(part for part in (kind, target) if part)
        if d.reason:
            label = f"{label}: {d.reason}"
        rate = d.value if d.kind is DiscountKind.percent else None
        adjustments.append(ReceiptAdjustment(label, -d.amount, rate))
    if not check.discounts and check.discount_total:
        adjustments.append(ReceiptAdjustment("Discount", -check.discount_total))
    if check.service_charge:
        rate = check.service_charge_bp or None
        adjustments.append(ReceiptAdjustment("Service charge", check.service_charge, rate))
    return tuple(adjustments)


def tip_suggestions(total: int) -> tuple[TipSuggestion, ...]:
    """Tips of :data:`TIP_SUGGESTION_PERCENTS` of ``total`` (minor units), each rounded
    half-up to the minor unit (:func:`brigade.money.round_half_up_div`)."""
    return tuple(
        TipSuggestion(p, tip, total + tip)
        for p in TIP_SUGGESTION_PERCENTS
        for tip in (money.round_half_up_div(total * p, 100),)
    )


_METHOD_LABELS = {PaymentMethod.cash: "Cash", PaymentMethod.card: "Card"}


def _line(check_line: CheckLineRead, item: OrderItemRead | None) -> ReceiptLine:
    label = check_line.name
    if check_line.variation_name:
        label = f"{label} ({check_line.variation_name})"
    if check_line.share_amount is not None:
        # A line on a part of a split check: its share, at the part's amount (the
        # modifiers' prices are the whole line's, so they are not listed).
        if check_line.share != "1":
            label = f"{label} {check_line.share}"
        return ReceiptLine(check_line.quantity, label, check_line.share_amount)
    if item is None:
        return ReceiptLine(check_line.quantity, label, check_line.line_total)
    modifiers = tuple(ReceiptModifier(m.label, m.price_delta) for m in item.modifiers)
    return ReceiptLine(check_line.quantity, label, check_line.line_total, modifiers, item.notes)


def assemble(
    check: CheckRead,
    items: Sequence[OrderItemRead],
    restaurant: RestaurantRead,
    *,
    table: str | None,
    waiter: str | None,
    mark: ReceiptMark,
    print_number: int | None,
    printed_at: datetime,
) -> Receipt:
    """The :class:`Receipt` of ``check``: its billed lines with the modifiers and notes of
    the order lines ``items`` (matched by ``order_item_id``), its amounts and payments,
    ``restaurant``'s name, address, locale and time zone.

    A tip line shows when the payments carry tips; without one, tip suggestions
    (:func:`tip_suggestions` of the total) show on an open check and on one paid by card.
    """
    by_id = {item.id: item for item in items}
    standing = [p for p in check.payments if p.voided_at is None]  # voided: never paid
    payments = tuple(
        ReceiptPayment(
            _METHOD_LABELS.get(p.method, "Other") + (f" {p.reference}" if p.reference else ""),
            p.method.value,
            p.amount,
            p.tendered,
            p.change,
            p.tip,
            p.rounding,
        )
        for p in standing
    )
    tip_total = sum(p.tip for p in standing)
    by_card = any(p.method is PaymentMethod.card for p in standing)
    suggest = tip_total == 0 and (by_card or check.status is CheckStatus.open)
    return Receipt(
        restaurant_name=restaurant.name,
        address_lines=tuple(
            line.strip() for line in restaurant.address.splitlines() if line.strip()
        ),
        locale=restaurant.locale,
        time_zone=restaurant.time_zone,
        currency=check.currency,
        check_id=check.id,
        order_id=check.order_id,
        status=check.status,
        table=table,
        waiter=waiter,
        issued_at=check.paid_at or printed_at,
        printed_at=printed_at,
        mark=mark,
        print_number=print_number,
        lines=tuple(_line(line, by_id.get(line.order_item_id)) for line in check.lines),
        subtotal=check.subtotal,
        adjustments=adjustments_of(check),
        taxes=taxes_of(check),
        total=check.total,
        tip_total=tip_total,
        paid_total=check.paid_total,
        balance=check.balance,
        payments=payments,
        tip_suggestions=tip_suggestions(check.total) if suggest else (),
        cash_due=check.cash_due if check.balance and check.cash_due != check.balance else None,
    )


# --- formatting -------------------------------------------------------------------------


class Formats:
    """How one receipt writes amounts, rates and times, by Babel for ``locale``.

    :meth:`money` turns minor units into the currency's major unit with its ISO 4217
    decimals (``1250`` EUR in ``de_DE`` → ``12,50 €``; ``1200`` JPY in ``ja_JP`` →
    ``￥1,200``); :meth:`when` writes a UTC time in ``time_zone`` (Babel's ``medium``
    date and ``short`` time).
    """

    def __init__(self, currency: str, locale: str, time_zone: str) -> None:
        self.currency = currency
        self.locale = Locale.parse(locale)
        self.zone = ZoneInfo(time_zone)
        self.exponent = currency_exponent(currency)
        pattern = copy.copy(self.locale.currency_formats["standard"])
        pattern.frac_prec = (self.exponent, self.exponent)
        self._pattern = pattern
        percent = copy.copy(self.locale.percent_formats[None])
        percent.frac_prec = (0, 2)  # 8.25 %, 10 %
        self._percent = percent

    @property
    def language(self) -> str:
        """The locale's language code (``de``), for HTML's ``lang``."""
        return self.locale.language

    def money(self, minor: int) -> str:
        """``minor`` units of the currency, written for the locale."""
        value = Decimal(minor).scaleb(-self.exponent)
        return str(
            self._pattern.apply(value, self.locale, currency=self.currency, currency_digits=False)
        )

    def rate(self, rate_bp: int) -> str:
        """A rate in basis points as a percentage in the locale's way (``1900`` → ``19 %``
        in ``de_DE``, ``825`` → ``8.25%`` in ``en_US``)."""
        return str(self._percent.apply(Decimal(rate_bp).scaleb(-4), self.locale))

    def percent(self, percent: int) -> str:
        """A whole percentage (``15`` → ``15%`` in ``en_US``)."""
        return self.rate(percent * 100)

    def tax(self, tax: ReceiptTax) -> str:
        """A tax's label: its name and rate (``Tax 10%``), the name alone when it says
        the rate itself (``Drinks 20 %``)."""
        return tax.label if "%" in tax.label else f"{tax.label} {self.rate(tax.rate_bp)}"

    def adjustment(self, adjustment: ReceiptAdjustment) -> str:
        """An adjustment's label with its rate (``Service charge 10%``)."""
        if adjustment.rate_bp is None:
            return adjustment.label
        kind, colon, reason = adjustment.label.partition(":")
        return f"{kind} {self.rate(adjustment.rate_bp)}{colon}{reason}"

    def when(self, moment: datetime) -> str:
        """``moment`` (UTC) in the restaurant's time zone, for the locale."""
        local = moment.astimezone(self.zone)
        date = format_datetime(local, "medium", locale=self.locale)
        return str(date)


def formats_of(receipt: Receipt) -> Formats:
    """The :class:`Formats` of ``receipt`` (its currency, locale and time zone)."""
    return Formats(receipt.currency, receipt.locale, receipt.time_zone)


# --- HTML -------------------------------------------------------------------------------


@cache
def _templates() -> Environment:
    return Environment(
        loader=PackageLoader("brigade.billing", "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def render_html(receipt: Receipt) -> str:
    """``receipt`` as an HTML page (``templates/receipt.html.j2``, autoescaped)."""
    template = _templates().get_template("receipt.html.j2")
    return template.render(r=receipt, f=formats_of(receipt))


# --- the printer's layout: PDF and ESC/POS ----------------------------------------------

RowStyle = Literal["title", "mark", "bold", "total", "normal", "small", "rule"]


@dataclass(frozen=True, slots=True)
class Row:
    """One line of the printed layout: ``text`` at most :data:`COLUMNS` characters
    (``title`` and ``mark`` rows are printed double size, so half as many) and how it is
    printed; ``centered`` or left-aligned (pairs are padded to the full width)."""

    text: str
    style: RowStyle = "normal"
    centered: bool = False


def _printable(text: str) -> str:
    """``text`` in Unicode's compatibility form (NFKC: the full-width ``￥`` of ``ja_JP`` is
    ``¥``, full-width digits are digits), which the printer's fonts and code pages have."""
    return unicodedata.normalize("NFKC", text)


def _pair(left: str, right: str, style: RowStyle = "normal", indent: int = 0) -> list[Row]:
    """``left`` and ``right`` on one line of :data:`COLUMNS`, ``left`` wrapped when they do
    not fit (``right`` on the last line)."""
    left, right = _printable(left), _printable(right)
    room = max(COLUMNS - len(right) - 1, 10)
    wrapped = textwrap.wrap(
        left, room, initial_indent=" " * indent, subsequent_indent=" " * (indent + 2)
    ) or [""]
    rows = [Row(text, style) for text in wrapped[:-1]]
    last = wrapped[-1]
    rows.append(Row(last + " " * max(COLUMNS - len(last) - len(right), 1) + right, style))
    return rows


def _centered(text: str, style: RowStyle, width: int) -> list[Row]:
    text = _printable(text)
    return [Row(t, style, centered=True) for t in textwrap.wrap(text, width) or [""]]


def _modifier_text(modifier: ReceiptModifier, f: Formats) -> str:
    """``+ cheese (+1.50)``: the price is per unit and already in the line's total."""
    if not modifier.price_delta:
        return f"+ {modifier.name}"
    sign = "+" if modifier.price_delta > 0 else ""
    return f"+ {modifier.name} ({sign}{f.money(modifier.price_delta)})"


def layout(receipt: Receipt) -> list[Row]:
    """The receipt as printer rows, shared by :func:`render_pdf` and
    :func:`render_escpos` (the same sections as the HTML template)."""
    f = formats_of(receipt)
    rule = Row("-" * COLUMNS, "rule")
    rows = _centered(receipt.restaurant_name, "title", COLUMNS // 2)
    for address_line in receipt.address_lines:
        rows += _centered(address_line, "normal", COLUMNS)
    if receipt.mark_label:
        rows += _centered(f"*** {receipt.mark_label} ***", "mark", COLUMNS // 2)
    rows += _centered(f"{receipt.title} #{receipt.check_id}", "bold", COLUMNS)
    if receipt.table:
        rows += _pair("Table", receipt.table)
    if receipt.waiter:
        rows += _pair("Served by", receipt.waiter)
    rows += _pair("Order", f"#{receipt.order_id}")
    rows += _pair("Date", f.when(receipt.issued_at))
    if receipt.printed_at != receipt.issued_at:
        rows += _pair("Printed", f.when(receipt.printed_at))
    rows.append(rule)
    for line in receipt.lines:
        rows += _pair(f"{line.quantity} x {line.label}", f.money(line.line_total))
        for modifier in line.modifiers:
            rows += _pair(_modifier_text(modifier, f), "", "small", indent=2)
        if line.notes:
            rows += _pair(line.notes, "", "small", indent=2)
    rows.append(rule)
    rows += _pair("Subtotal", f.money(receipt.subtotal))
    for adjustment in receipt.adjustments:
        rows += _pair(f.adjustment(adjustment), f.money(adjustment.amount))
    for tax in receipt.taxes:
        if not tax.inclusive:
            rows += _pair(f.tax(tax), f.money(tax.amount))
    rows += _pair("TOTAL", f.money(receipt.total), "total")
    for tax in receipt.taxes:
        if tax.inclusive:
            rows += _pair(f"incl. {f.tax(tax)}", f.money(tax.amount), "small")
    if receipt.tip_total:
        rows += _pair("Tip", f.money(receipt.tip_total))
        rows += _pair("Total with tip", f.money(receipt.total + receipt.tip_total), "total")
    if receipt.payments:
        rows.append(rule)
    for payment in receipt.payments:
        rows += _pair(payment.label, f.money(payment.amount))
        if payment.tendered is not None:
            rows += _pair("Tendered", f.money(payment.tendered), "small", indent=2)
            rows += _pair("Change", f.money(payment.change), "small", indent=2)
        if payment.tip:
            rows += _pair("Tip", f.money(payment.tip), "small", indent=2)
        if payment.rounding:
            rows += _pair("Cash rounding", f.money(payment.rounding), "small", indent=2)
    if receipt.balance:
        rows += _pair("Balance due", f.money(receipt.balance), "total")
    if receipt.cash_due is not None:
        rows += _pair("Cash due (rounded)", f.money(receipt.cash_due), "small")
    if receipt.tip_suggestions:
        rows.append(rule)
        rows += _centered("Tip suggestions", "normal", COLUMNS)
        for tip in receipt.tip_suggestions:
            rows += _pair(
                f"{f.percent(tip.percent)}: {f.money(tip.tip)}", f"Total {f.money(tip.total)}"
            )
    rows.append(rule)
    rows += _centered("Thank you!", "normal", COLUMNS)
    return rows


_FONT_DIR = Path(str(files("brigade.billing").joinpath("fonts")))
_FONT = "DejaVuSansMono"
_PAGE_WIDTH_MM = 80.0
_MARGIN_MM = 4.0
#: Font size (pt) and line height (mm) per row style.
#: At 8 pt a DejaVu Sans Mono character is 1.70 mm wide (0.602 em): 42 columns take
#: 71.4 mm of the 72 mm between the margins; titles at 16 pt take 21.
_PDF_STYLES: dict[str, tuple[str, float, float]] = {
    "title": ("B", 16.0, 7.5),
    "mark": ("B", 16.0, 8.0),
    "bold": ("B", 8.0, 4.2),
    "total": ("B", 8.0, 4.6),
    "normal": ("", 8.0, 3.8),
    "small": ("", 8.0, 3.6),
    "rule": ("", 8.0, 3.8),
}


def _pdf(height_mm: float) -> FPDF:
    pdf = FPDF(unit="mm", format=(_PAGE_WIDTH_MM, height_mm))
    pdf.set_margins(_MARGIN_MM, _MARGIN_MM, _MARGIN_MM)
    pdf.set_auto_page_break(True, margin=_MARGIN_MM)
    pdf.add_font(_FONT, "", str(_FONT_DIR / "DejaVuSansMono.ttf"))
    pdf.add_font(_FONT, "B", str(_FONT_DIR / "DejaVuSansMono-Bold.ttf"))
    return pdf


#: The longest page (mm) a receipt gets; a longer one goes on to further pages.
_MAX_PAGE_MM = 2000.0


def render_pdf(receipt: Receipt) -> bytes:
    """``receipt`` as a PDF: one 80 mm wide page as long as the receipt (up to
    2 m, then more pages), the :func:`layout` rows in DejaVu Sans Mono; the document's
    title and creation date are the receipt's."""
    rows = layout(receipt)
    height = 2 * _MARGIN_MM + sum(_PDF_STYLES[row.style][2] for row in rows)
    pdf = _pdf(min(height, _MAX_PAGE_MM))
    pdf.set_title(f"{receipt.restaurant_name} - {receipt.title} #{receipt.check_id}")
    pdf.set_creator("Brigade")
    pdf.set_creation_date(receipt.printed_at)
    pdf.add_page()
    width = _PAGE_WIDTH_MM - 2 * _MARGIN_MM
    for row in rows:
        style, size, line_height = _PDF_STYLES[row.style]
        pdf.set_font(_FONT, style, size)
        pdf.cell(
            width,
            line_height,
            row.text,
            align="C" if row.centered else "L",
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
        )
    return bytes(pdf.output())


def render_escpos(receipt: Receipt) -> bytes:
    """``receipt`` as ESC/POS commands (python-escpos's ``Dummy`` printer): initialise
    (ESC @), the :func:`layout` rows (titles and the ``COPY``/``PREVIEW`` mark double
    size, totals bold), feed and cut. Text is encoded in the printer's code pages by
    python-escpos; a character none of them has is printed as ``?``."""
    printer = Dummy()
    printer.hw("INIT")
    current: tuple[str, bool] | None = None
    for row in _with_feed(layout(receipt)):
        key = (row.style, row.centered)
        if key != current:
            big = row.style in ("title", "mark")
            printer.set(
                align="center" if row.centered else "left",
                bold=row.style in ("title", "mark", "bold", "total"),
                double_height=big,
                double_width=big,
                invert=row.style == "mark",
            )
            current = key
        printer.textln(row.text)
    printer.set_with_default()
    printer.cut()
    return bytes(printer.output)


def _with_feed(rows: list[Row]) -> list[Row]:
    """``rows`` and three empty lines, so that the cut falls below the last one."""
    return [*rows, *(Row("") for _ in range(3))]


RENDERERS: dict[ReceiptFormat, Callable[[Receipt], bytes]] = {
    ReceiptFormat.html: lambda receipt: render_html(receipt).encode(),
    ReceiptFormat.pdf: render_pdf,
    ReceiptFormat.escpos: render_escpos,
}


def render(receipt: Receipt, fmt: ReceiptFormat) -> bytes:
    """``receipt`` as the bytes of ``fmt`` (HTML in UTF-8). Pure CPU (a PDF about 0.25 s,
    HTML and ESC/POS a few ms): a caller on the event loop runs it in a thread."""
    return RENDERERS[fmt](receipt)


# --- reading and printing ---------------------------------------------------------------

_checks = cast(Table, Check.__table__)
_prints = cast(Table, ReceiptPrint.__table__)
_LOCK_CHECK = (
    scoped(select(_checks.c.id), RID).where(_checks.c.id == bindparam("check_id")).with_for_update()
)
_PRINT_COUNT = scoped(select(func.count()).select_from(_prints), RID).where(
    _prints.c.check_id == bindparam("check_id")
)
_INSERT_PRINT = insert(_prints).returning(
    _prints.c.id, _prints.c.check_id, _prints.c.number, _prints.c.format, _prints.c.printed_at
)
_TABLE_NAME = select(table_name_of(bindparam("table_id"), bindparam("restaurant_id")))


class ReceiptPrintCreate(BaseModel):
    """What a print asks for (the ``format`` chosen by ``format``/``Accept``): the body
    an ``Idempotency-Key`` is bound to."""

    model_config = ConfigDict(extra="forbid")

    format: ReceiptFormat


class ReceiptPrintRead(BaseModel):
    """A recorded print of a check's receipt: ``number`` 1 is the original, later ones are
    copies (``copy``). ``printed_at`` UTC."""

    id: int
    check_id: int
    number: int = Field(description="1 for the original, 2 for the first copy, ...")
    is_copy: bool = Field(description="Whether this print is marked COPY (number > 1).")
    format: ReceiptFormat
    printed_at: datetime


async def receipt_of(
    session: AsyncSession,
    access: Access,
    check_id: int,
    *,
    mark: ReceiptMark,
    print_number: int | None = None,
    printed_at: datetime | None = None,
) -> Receipt:
    """The :class:`Receipt` of check ``check_id`` as it stands (an open check brought up
    to date, :func:`brigade.billing.service.get_check`), marked ``mark``; its table's
    name and the waiter who opened the order (their full name, when they have one).

    Raises ``PermissionDenied`` (no ``billing:read``) and ``NotFound`` (no such check in
    this restaurant)."""
    check = await service.get_check(session, access, check_id)
    restaurant_id = access.restaurant_id
    restaurant = await read_restaurant(session, access)
    order = await get_order_row(session, restaurant_id, check.order_id)
    table = None
    if order.table_id is not None:
        table = await session.scalar(
            _TABLE_NAME, {"table_id": order.table_id, "restaurant_id": restaurant_id}
        )
    waiter_id = await order_opened_by(session, restaurant_id, check.order_id)
    waiter = (
        None if waiter_id is None else await staff_display_name(session, restaurant_id, waiter_id)
    )
    return assemble(
        check,
        order.items,
        restaurant,
        table=table,
        waiter=waiter,
        mark=mark,
        print_number=print_number,
        printed_at=printed_at or utcnow(),
    )


async def record_print(
    session: AsyncSession, access: Access, check_id: int, fmt: ReceiptFormat
) -> ReceiptPrintRead:
    """Record a print of check ``check_id``'s receipt in ``fmt``: number 1 when it is the
    first, else the next copy's number. The check's row is locked for the transaction
    (PostgreSQL; SQLite has one writer) so that two tills printing at once get numbers 1
    and 2. Event ``receipt.printed`` ``{"print": ReceiptPrintRead}``.

    Raises ``PermissionDenied`` (no ``billing:read``: whoever may read a check may print
    it) and ``NotFound``."""
    access.check(Permission.billing_read)
    restaurant_id = access.restaurant_id
    params = {"check_id": check_id, "restaurant_id": restaurant_id}
    if (await session.execute(_LOCK_CHECK, params)).first() is None:
        raise NotFound(f"check {check_id} not found")
    earlier = int((await session.execute(_PRINT_COUNT, params)).scalar_one())
    row = (
        await session.execute(
            _INSERT_PRINT,
            {
                "restaurant_id": restaurant_id,
                "check_id": check_id,
                "number": earlier + 1,
                "format": fmt.value,
                "printed_by": access.actor.user_id,
                "printed_at": utcnow(),
            },
        )
    ).one()
    printed = ReceiptPrintRead(
        id=row.id,
        check_id=row.check_id,
        number=row.number,
        is_copy=row.number > 1,
        format=ReceiptFormat(row.format),
        printed_at=row.printed_at,
    )
    await record(
        session,
        restaurant_id,
        RECEIPT_PRINTED,
        {"print": printed.model_dump(mode="json")},
    )
    return printed


async def printed_receipt(
    session: AsyncSession, access: Access, printed: ReceiptPrintRead
) -> Receipt:
    """The :class:`Receipt` of the print ``printed`` (original or copy by its number,
    its print time)."""
    return await receipt_of(
        session,
        access,
        printed.check_id,
        mark=ReceiptMark.copy if printed.is_copy else ReceiptMark.original,
        print_number=printed.number,
        printed_at=printed.printed_at,
    )
