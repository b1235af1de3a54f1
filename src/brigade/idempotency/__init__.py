"""``Idempotency-Key`` support: a retried write returns the first answer.

The first request with a key stores its response in the same transaction as its writes;
a retry with the same key and the same request gets that response back (with header
``Idempotent-Replayed: true``); the same key with a different request is a 422
``idempotency-key-reused`` (draft-ietf-httpapi-idempotency-key-header).

Keys are scoped per ``(restaurant, actor)``: another user, API token or restaurant may
use the same key for its own request. The key is claimed first
(:func:`brigade.idempotency.service.claim`), the answer left for the commit
(:func:`~brigade.idempotency.service.defer_answer`, written by the unit of work), both in
the request's transaction: a request that fails (any 4xx or 5xx) rolls its claim back
with its other writes, so nothing is stored for it and a retry with the same key runs
the request again.

- :mod:`~brigade.idempotency.models`: the table of stored answers;
- :mod:`~brigade.idempotency.service`: fingerprint, claim, replay, answer;
- :mod:`~brigade.idempotency.dependencies`: the ``Idempotency-Key`` header and the
  :data:`~brigade.idempotency.dependencies.Idempotent` dependency every keyed REST write
  of an existing resource declares (payments included). Order placement claims its key
  in its service (:func:`brigade.orders.service.create_order_once`, with the same
  functions), because the socket command ``order.create`` runs it too.
"""
