/**
 * `/r/:restaurantId/admin/staff` — the staff and their roles: change a role, remove a
 * member (after a confirmation), add one (a new login with username, full name and
 * password; only the platform admin may add an existing login by its username alone).
 * The server's refusals appear where they happened: the last owner (409 `last-owner`)
 * on that member's row or in the dialog, `already-member` and `username-taken` under the
 * username, `password-required` and `weak-password` under the password, `owner-only`
 * (a manager touching an owner) under the role.
 */
import { useMutation, useQuery } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";

import { unwrap } from "../../api/client";
import { ApiError, errorMessage } from "../../api/errors";
import { queryKeys } from "../../api/queries";
import { useMe } from "../../auth/hooks";
import { useRestaurantScope } from "../../auth/restaurant";
import { useServices } from "../../services";
import { staffQuery, type StaffMemberRead, type StaffRole } from "./adminApi";
import { ConfirmDialog, Field, FormError, QueryGate, formatDateTime, problemText, serverFieldError, useRestaurant } from "./common";

export const STAFF_ROLES: readonly { value: StaffRole; label: string }[] = [
  { value: "owner", label: "Owner" },
  { value: "manager", label: "Manager" },
  { value: "waiter", label: "Waiter" },
  { value: "kitchen", label: "Kitchen" },
  { value: "cashier", label: "Cashier" },
];

/** A readable message for a refused staff change. */
function staffProblem(error: unknown, username: string): string | null {
  if (!(error instanceof ApiError)) return null;
  if (error.is("last-owner")) return `${username} is the last owner: make someone else an owner first.`;
  if (error.is("owner-only")) return "Only an owner can change or remove an owner.";
  return null;
}

export function StaffAdmin() {
  const { api } = useServices();
  const { restaurantId: rid } = useRestaurantScope();
  const staff = useQuery(staffQuery(api, rid));
  const restaurant = useRestaurant();
  return (
    <div className="admin-page staff-admin">
      <h1>Staff</h1>
      <QueryGate queries={[staff]} what="the staff">
        {() => <StaffList members={staff.data?.items ?? []} timeZone={restaurant.data?.time_zone} />}
      </QueryGate>
      <AddMember />
    </div>
  );
}

function StaffList({ members, timeZone }: { members: readonly StaffMemberRead[]; timeZone: string | undefined }) {
  const { api, queryClient } = useServices();
  const { restaurantId: rid } = useRestaurantScope();
  const me = useMe();
  const [rowError, setRowError] = useState<{ userId: number; error: unknown } | null>(null);
  const [removing, setRemoving] = useState<StaffMemberRead | null>(null);
  const invalidate = () => queryClient.invalidateQueries({ queryKey: queryKeys.staff(rid) });

  const changeRole = useMutation({
    mutationFn: ({ member, role }: { member: StaffMemberRead; role: StaffRole }) =>
      unwrap(
        api.PATCH("/api/v1/restaurants/{restaurant_id}/staff/{user_id}", {
          params: { path: { restaurant_id: rid, user_id: member.user_id } },
          body: { role },
        }),
      ),
    onMutate: () => setRowError(null),
    onError: (error, { member }) => setRowError({ userId: member.user_id, error }),
    onSettled: invalidate,
  });
  const remove = useMutation({
    mutationFn: (member: StaffMemberRead) =>
      unwrap(
        api.DELETE("/api/v1/restaurants/{restaurant_id}/staff/{user_id}", {
          params: { path: { restaurant_id: rid, user_id: member.user_id } },
        }),
      ),
    onSuccess: async () => {
      setRemoving(null);
      await invalidate();
    },
  });

  if (members.length === 0) return <p className="admin-empty">Nobody yet.</p>;
  return (
    <>
      <table className="admin-table" aria-label="Staff">
        <thead>
          <tr>
            <th scope="col">Username</th>
            <th scope="col">Full name</th>
            <th scope="col">Role</th>
            <th scope="col">Joined</th>
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {members.map((member) => {
            const pendingRole =
              changeRole.isPending && changeRole.variables?.member.user_id === member.user_id ? changeRole.variables.role : null;
            const error = rowError?.userId === member.user_id ? rowError.error : null;
            const roleId = `staff-role-${member.user_id}`;
            const errorId = `staff-error-${member.user_id}`;
            const known = staffProblem(error, member.username);
            return (
              <tr key={member.user_id}>
                <th scope="row" data-label="Username">
                  {member.username}
                  {me.data?.id === member.user_id ? <span className="admin-muted"> (you)</span> : null}
                  {member.is_active ? null : <span className="status-revoked"> (login disabled)</span>}
                </th>
                <td data-label="Full name">{member.full_name || "—"}</td>
                <td data-label="Role">
                  <label htmlFor={roleId} className="visually-hidden">
                    Role of {member.username}
                  </label>
                  <select
                    id={roleId}
                    value={pendingRole ?? member.role}
                    disabled={changeRole.isPending}
                    aria-invalid={error ? true : undefined}
                    aria-describedby={error ? errorId : undefined}
                    onChange={(e) => changeRole.mutate({ member, role: e.target.value as StaffRole })}
                  >
                    {STAFF_ROLES.map((r) => (
                      <option key={r.value} value={r.value}>
                        {r.label}
                      </option>
                    ))}
                  </select>
                  {error ? (
                    <p role="alert" id={errorId} className="error-message">
                      {known ?? (error instanceof ApiError ? problemText(error) : errorMessage(error))}
                    </p>
                  ) : null}
                </td>
                <td data-label="Joined">{formatDateTime(member.joined_at, timeZone)}</td>
                <td>
                  <button
                    type="button"
                    className="button"
                    aria-label={`Remove ${member.username}`}
                    onClick={() => {
                      remove.reset();
                      setRemoving(member);
                    }}
                  >
                    Remove
                  </button>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {removing ? (
        <ConfirmDialog
          title={`Remove ${removing.username} from the staff?`}
          confirmLabel="Remove"
          busy={remove.isPending}
          error={staffProblem(remove.error, removing.username) ?? remove.error}
          onCancel={() => setRemoving(null)}
          onConfirm={() => remove.mutate(removing)}
        >
          <p>
            {removing.full_name || removing.username} can no longer open this restaurant. Their login stays (other
            restaurants, or to be added back later).
          </p>
        </ConfirmDialog>
      ) : null}
    </>
  );
}

function AddMember() {
  const { api, queryClient } = useServices();
  const { restaurantId: rid } = useRestaurantScope();
  const isAdmin = useMe().data?.is_admin === true;
  const [username, setUsername] = useState("");
  const [fullName, setFullName] = useState("");
  const [password, setPassword] = useState("");
  const [role, setRole] = useState<StaffRole>("waiter");
  const [localUsername, setLocalUsername] = useState<string | undefined>();
  const [added, setAdded] = useState<string | null>(null);
  const add = useMutation({
    mutationFn: () =>
      unwrap(
        api.POST("/api/v1/restaurants/{restaurant_id}/staff", {
          params: { path: { restaurant_id: rid } },
          body: { username: username.trim(), full_name: fullName.trim(), password: password === "" ? null : password, role },
        }),
      ),
    onSuccess: async (member) => {
      setAdded(member.username);
      setUsername("");
      setFullName("");
      setPassword("");
      setRole("waiter");
      await queryClient.invalidateQueries({ queryKey: queryKeys.staff(rid) });
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setAdded(null);
    if (username.trim() === "") {
      setLocalUsername("Username is required.");
      return;
    }
    setLocalUsername(undefined);
    add.mutate();
  };
  const error = add.error;
  const usernameError =
    localUsername ??
    (error instanceof ApiError && error.is("already-member") ? `${username.trim()} is already on the staff.` : undefined) ??
    (error instanceof ApiError && error.is("username-taken") ? `${username.trim()} is taken: choose another username.` : undefined) ??
    serverFieldError(error, "username");
  const passwordError =
    (error instanceof ApiError && error.is("password-required")
      ? "Give a password to create the login."
      : undefined) ??
    (error instanceof ApiError && error.is("weak-password") ? problemText(error) : undefined) ??
    serverFieldError(error, "password");
  const roleError =
    (error instanceof ApiError && error.is("owner-only") ? "Only an owner can add an owner." : undefined) ??
    serverFieldError(error, "role");
  return (
    <section className="admin-panel" aria-labelledby="add-member-title">
      <h2 id="add-member-title">Add a staff member</h2>
      <form className="admin-form" aria-label="Add a staff member" onSubmit={submit} noValidate>
        <div className="form-row">
          <Field label="Username" error={usernameError}>
            {(control) => (
              <input
                {...control}
                value={username}
                onChange={(e) => setUsername(e.target.value)}
                autoComplete="off"
                autoCapitalize="none"
                spellCheck={false}
                maxLength={150}
              />
            )}
          </Field>
          <Field label="Full name" error={serverFieldError(error, "full_name")}>
            {(control) => <input {...control} value={fullName} onChange={(e) => setFullName(e.target.value)} maxLength={200} />}
          </Field>
        </div>
        <div className="form-row">
          <Field
            label="Password"
            hint={
              isAdmin
                ? "For a new login. Leave empty to add someone who already has one."
                : "For the new login: at least 8 characters, not a common password."
            }
            error={passwordError}
          >
            {(control) => (
              <input {...control} type="password" autoComplete="new-password" value={password} onChange={(e) => setPassword(e.target.value)} />
            )}
          </Field>
          <Field label="Role" error={roleError}>
            {(control) => (
              <select {...control} value={role} onChange={(e) => setRole(e.target.value as StaffRole)}>
                {STAFF_ROLES.map((r) => (
                  <option key={r.value} value={r.value}>
                    {r.label}
                  </option>
                ))}
              </select>
            )}
          </Field>
        </div>
        <FormError
          error={error}
          fields={["username", "full_name", "password", "role"]}
          handled={["already-member", "username-taken", "password-required", "weak-password", "owner-only"]}
        />
        <div className="form-actions">
          <button type="submit" className="button button-primary" disabled={add.isPending}>
            Add staff member
          </button>
          {added ? (
            <span role="status" className="saved-note">
              {added} added.
            </span>
          ) : null}
        </div>
      </form>
    </section>
  );
}
