"""Checks and payments, in minor units of the restaurant's currency.

Built so that splits (several checks per order), discounts and tips fit later: a check
names its order, and its amounts are stored, not recomputed on read.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column

from brigade.infra.db import Base, IdType, UTCDateTime


class Check(Base):
    """What the guests owe for an order: ``subtotal`` (lines), ``discount_total``,
    ``service_charge``, ``tax_total`` and ``total`` (:mod:`brigade.billing.pricing`).

    ``tax_rate_bp`` and ``tax_inclusive`` snapshot the restaurant's default tax rule; the
    tax per rate is in :class:`CheckTax`, the discounts in :class:`CheckDiscount`.
    ``service_charge_bp`` is the service charge's rate applied (0: none).

    ``status``: ``open`` until payments cover ``total``, then ``paid``; ``split`` when it
    was split into parts (:mod:`brigade.billing.splits`): its amounts are then frozen and
    its parts, checks whose ``parent_id`` names it, are paid instead. ``split_by`` says
    how (``even``, ``seat``, ``lines``, ``amounts``; ``None``: not split); a part's lines
    and shares are in :class:`CheckPartLine`.
    """

    __tablename__ = "checks"
    __table_args__ = (Index("ix_checks_restaurant_id_status", "restaurant_id", "status"),)

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    restaurant_id: Mapped[int] = mapped_column(
        IdType, ForeignKey("restaurants.id", ondelete="CASCADE")
    )
    order_id: Mapped[int] = mapped_column(
        IdType, ForeignKey("orders.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[str] = mapped_column(String(16), default="open")
    currency: Mapped[str] = mapped_column(String(3))
    subtotal: Mapped[int] = mapped_column(BigInteger, default=0)
    discount_total: Mapped[int] = mapped_column(BigInteger, default=0)
    tax_total: Mapped[int] = mapped_column(BigInteger, default=0)
    total: Mapped[int] = mapped_column(BigInteger, default=0)
    paid_total: Mapped[int] = mapped_column(BigInteger, default=0)
    tip_total: Mapped[int] = mapped_column(BigInteger, default=0)
    service_charge: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    service_charge_bp: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    tax_rate_bp: Mapped[int] = mapped_column(Integer, default=0)
    tax_inclusive: Mapped[bool] = mapped_column(Boolean, default=False)
    version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    parent_id: Mapped[int | None] = mapped_column(
        IdType, ForeignKey("checks.id", ondelete="CASCADE"), default=None, index=True
    )
    split_by: Mapped[str | None] = mapped_column(String(16), default=None)


class CheckPartLine(Base):
    """A line on a part of a split check: ``share_numerator/share_denominator`` of order
    line ``order_item_id``, ``amount`` (minor units: that share of the line before
    discounts) and ``discount`` (minor units: its share of the line's discounts), as
    :func:`brigade.billing.pricing.split_by_lines` and
    :func:`~brigade.billing.pricing.split_by_amounts` computed them at the split."""

    __tablename__ = "check_part_lines"

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    restaurant_id: Mapped[int] = mapped_column(
        IdType, ForeignKey("restaurants.id", ondelete="CASCADE")
    )
    check_id: Mapped[int] = mapped_column(
        IdType, ForeignKey("checks.id", ondelete="CASCADE"), index=True
    )
    order_item_id: Mapped[int] = mapped_column(
        IdType, ForeignKey("order_items.id", ondelete="CASCADE")
    )
    share_numerator: Mapped[int] = mapped_column(BigInteger)
    share_denominator: Mapped[int] = mapped_column(BigInteger)
    amount: Mapped[int] = mapped_column(BigInteger)
    discount: Mapped[int] = mapped_column(BigInteger, default=0)


class Payment(Base):
    """A payment on a check: ``method`` is ``cash``, ``card`` or ``other``; ``amount``
    is what it settles, ``tendered``/``change`` record cash handed over and given back.

    ``rounding`` (cash only, minor units, may be negative) is what cash rounding added to
    ``amount``: the guest handed over ``amount + rounding`` against the check (see
    :func:`brigade.billing.pricing.round_cash`); it never changes the check's total.
    ``till_id``/``shift_id`` name the cash drawer and its shift the payment was taken
    into (plain columns, set through :mod:`brigade.billing.hooks`; ``None``: none).

    ``tip`` (card only, minor units) is charged on top of ``amount`` and is never part of
    the check's total; ``tip_pending`` is true while a tip left to be adjusted later
    (the card slip's tip line) has not been confirmed (``tip_adjusted_at``, UTC).
    ``refunded_total`` (minor units) is what refunds gave back of ``amount`` (never more
    than it); ``voided_at`` is set when the payment was voided
    (:mod:`brigade.billing.payments`, :class:`PaymentReversal`)."""

    __tablename__ = "payments"

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    restaurant_id: Mapped[int] = mapped_column(
        IdType, ForeignKey("restaurants.id", ondelete="CASCADE")
    )
    check_id: Mapped[int] = mapped_column(
        IdType, ForeignKey("checks.id", ondelete="CASCADE"), index=True
    )
    method: Mapped[str] = mapped_column(String(16))
    amount: Mapped[int] = mapped_column(BigInteger)
    tendered: Mapped[int | None] = mapped_column(BigInteger, default=None)
    change: Mapped[int] = mapped_column(BigInteger, default=0)
    tip: Mapped[int] = mapped_column(BigInteger, default=0)
    rounding: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    reference: Mapped[str] = mapped_column(String(100), default="")
    till_id: Mapped[int | None] = mapped_column(IdType, default=None)
    shift_id: Mapped[int | None] = mapped_column(IdType, default=None, index=True)
    created_by: Mapped[int | None] = mapped_column(
        IdType, ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    tip_pending: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    tip_adjusted_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    refunded_total: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    voided_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)


class PaymentReversal(Base):
    """Money given back on a payment: a ``refund`` (part or all of its ``amount``, on a
    paid check) or a ``void`` (the whole payment undone, on an open check).

    ``method`` mirrors the payment's; ``amount`` is what it takes off the payment's
    ``amount`` and ``tip`` the tip given back with it (a void of a card payment), minor
    units. ``cash`` is the cash paid out of the drawer (cash payments only: a refund's
    ``amount``, a void's ``amount + rounding``), counted out of the shift
    ``shift_id`` of till ``till_id`` that was open when it was made (``None``: no
    drawer). ``business_date`` is the restaurant's local date the reversal belongs to
    in the day's report (a refund: the day it was made; a void: its order's day).
    ``approved_by``/``approval_method`` (``permission``: the caller is a manager;
    ``password``: a manager's credentials in the request) record who allowed it."""

    __tablename__ = "payment_reversals"
    __table_args__ = (
        Index("ix_payment_reversals_restaurant_id_business_date", "restaurant_id", "business_date"),
    )

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    restaurant_id: Mapped[int] = mapped_column(
        IdType, ForeignKey("restaurants.id", ondelete="CASCADE")
    )
    check_id: Mapped[int] = mapped_column(IdType, ForeignKey("checks.id", ondelete="CASCADE"))
    payment_id: Mapped[int] = mapped_column(
        IdType, ForeignKey("payments.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(16))
    method: Mapped[str] = mapped_column(String(16))
    amount: Mapped[int] = mapped_column(BigInteger)
    tip: Mapped[int] = mapped_column(BigInteger, default=0)
    cash: Mapped[int] = mapped_column(BigInteger, default=0)
    reason: Mapped[str] = mapped_column(String(200))
    till_id: Mapped[int | None] = mapped_column(IdType, default=None)
    shift_id: Mapped[int | None] = mapped_column(IdType, default=None, index=True)
    business_date: Mapped[date] = mapped_column(Date)
    created_by: Mapped[int | None] = mapped_column(
        IdType, ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    approved_by: Mapped[int | None] = mapped_column(
        IdType, ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    approval_method: Mapped[str] = mapped_column(String(16))


class CheckDiscount(Base):
    """A discount on a check (``order_item_id`` ``None``) or on one of its lines.

    ``kind``: ``percent`` (``value`` in basis points), ``fixed`` (``value`` in minor
    units) or ``comp`` (the line at zero; ``value`` 0). ``amount`` is what it takes off
    (minor units), recomputed while the check is open. ``approved_by``/``approved_at``/
    ``approval_method`` (``password``; a PIN later) record a manager's approval when the
    discount needed one. A removed discount keeps its row (``removed_at``/``removed_by``)
    and takes nothing off.
    """

    __tablename__ = "check_discounts"

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    restaurant_id: Mapped[int] = mapped_column(
        IdType, ForeignKey("restaurants.id", ondelete="CASCADE")
    )
    check_id: Mapped[int] = mapped_column(
        IdType, ForeignKey("checks.id", ondelete="CASCADE"), index=True
    )
    order_item_id: Mapped[int | None] = mapped_column(
        IdType, ForeignKey("order_items.id", ondelete="SET NULL"), default=None
    )
    kind: Mapped[str] = mapped_column(String(16))
    value: Mapped[int] = mapped_column(BigInteger, default=0)
    amount: Mapped[int] = mapped_column(BigInteger, default=0)
    reason: Mapped[str] = mapped_column(String(200))
    created_by: Mapped[int | None] = mapped_column(
        IdType, ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    approved_by: Mapped[int | None] = mapped_column(
        IdType, ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)
    approval_method: Mapped[str | None] = mapped_column(String(16), default=None)
    removed_by: Mapped[int | None] = mapped_column(
        IdType, ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), default=None)


class CheckTax(Base):
    """The tax of a check at one rate: ``base`` (minor units, the lines at that rate
    after discounts, with the service charge when it is taxable there; tax included when
    ``inclusive``) and ``tax`` (minor units). ``name``, ``rate_bp`` and ``inclusive``
    snapshot the rate (``tax_rate_id`` ``None``: the restaurant's default rate, or a
    rate deleted since). Rewritten while the check is open; summed by the reports.
    """

    __tablename__ = "check_taxes"

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    restaurant_id: Mapped[int] = mapped_column(
        IdType, ForeignKey("restaurants.id", ondelete="CASCADE")
    )
    check_id: Mapped[int] = mapped_column(
        IdType, ForeignKey("checks.id", ondelete="CASCADE"), index=True
    )
    tax_rate_id: Mapped[int | None] = mapped_column(
        IdType, ForeignKey("tax_rates.id", ondelete="SET NULL"), default=None
    )
    name: Mapped[str] = mapped_column(String(100))
    rate_bp: Mapped[int] = mapped_column(Integer)
    inclusive: Mapped[bool] = mapped_column(Boolean)
    base: Mapped[int] = mapped_column(BigInteger)
    tax: Mapped[int] = mapped_column(BigInteger)


class ReceiptPrint(Base):
    """One printed receipt of a check (:mod:`brigade.billing.receipts`): ``number`` 1 is
    the original, every later one a copy (marked ``COPY``). ``format`` is ``html``,
    ``pdf`` or ``escpos``; ``printed_by`` the user who printed it (``None`` for an API
    token or a deleted user); ``printed_at`` UTC."""

    __tablename__ = "receipt_prints"
    __table_args__ = (UniqueConstraint("check_id", "number"),)

    id: Mapped[int] = mapped_column(IdType, primary_key=True)
    restaurant_id: Mapped[int] = mapped_column(
        IdType, ForeignKey("restaurants.id", ondelete="CASCADE")
    )
    check_id: Mapped[int] = mapped_column(IdType, ForeignKey("checks.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    format: Mapped[str] = mapped_column(String(16))
    printed_by: Mapped[int | None] = mapped_column(
        IdType, ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    printed_at: Mapped[datetime] = mapped_column(UTCDateTime())
