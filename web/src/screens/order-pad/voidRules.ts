/**
 * The rules of a void the pad knows before asking the server (which checks them again,
 * `POST …/items/{id}/void`): a line the kitchen has started (preparing, ready, served)
 * needs a manager's approval unless the waiter is a manager; the reason is one of the
 * restaurant's `void_reasons` when it sets any, else free text.
 */
import type { components } from "../../api/schema";
import type { Role } from "../../auth/roles";
import type { OrderItemStatus } from "./types";

export type Approval = components["schemas"]["PasswordApproval"] | components["schemas"]["PinApproval"];

/** Line statuses whose void needs a manager (mirrors `NEEDS_APPROVAL_TO_VOID`). */
export const APPROVAL_STATUSES: ReadonlySet<OrderItemStatus> = new Set<OrderItemStatus>(["preparing", "ready", "served"]);
/** Roles that approve on their own (they hold `billing:approve`). */
export const MANAGER_ROLES: ReadonlySet<Role> = new Set<Role>(["owner", "manager", "admin"]);

/** Whether voiding a line in `status` by `role` needs a manager's approval. */
export function needsApproval(status: OrderItemStatus, role: Role | null): boolean {
  return APPROVAL_STATUSES.has(status) && (role === null || !MANAGER_ROLES.has(role));
}

/** The reasons to pick from (`null`: free text, the restaurant sets none). */
export function reasonChoices(voidReasons: readonly string[] | undefined): readonly string[] | null {
  return voidReasons && voidReasons.length > 0 ? voidReasons : null;
}

/** The staff who can approve by PIN on this device: its owners and managers. */
export function approvers<T extends { role: string }>(staff: readonly T[]): T[] {
  return staff.filter((s) => s.role === "owner" || s.role === "manager");
}

/** The body's `approval` for a manager's PIN, or their username and password. */
export function pinApproval(approverId: number, pin: string): Approval {
  return { method: "pin", approver_id: approverId, pin };
}

export function passwordApproval(username: string, password: string): Approval {
  return { method: "password", username: username.trim(), password };
}
