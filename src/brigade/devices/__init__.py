"""Shared devices of a restaurant (till, tablet, kitchen screen) and staff PINs.

A manager registers a device once; it gets a secret (shown once, kept by the browser)
that it sends as the ``X-Brigade-Device`` header. On a registered device staff sign in
and switch with a personal PIN, and a manager's PIN approves what needs approval
(:mod:`brigade.devices.approvals`). A PIN is never valid without the device's secret.
"""
