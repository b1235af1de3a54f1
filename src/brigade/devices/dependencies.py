"""The device secret a request carries (header ``X-Brigade-Device``), for the routes
where a PIN counts: the PIN sign-in and the requests that accept a PIN approval."""

from __future__ import annotations

from typing import Annotated

from fastapi import Header

from brigade.devices.schemas import DEVICE_HEADER

#: The ``X-Brigade-Device`` header's value (a registered device's secret), if sent.
DeviceSecret = Annotated[
    str | None,
    Header(
        alias=DEVICE_HEADER,
        max_length=128,
        description="A registered device's secret; needed for a PIN sign-in or approval.",
    ),
]
