/**
 * A fresh `Idempotency-Key` for one user action (placing an order, taking a payment).
 * Make it when the action starts and reuse it for every retry of that action, so a
 * retry after a lost response creates nothing twice.
 */
export function newIdempotencyKey(): string {
  return crypto.randomUUID();
}
