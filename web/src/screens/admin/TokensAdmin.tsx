/**
 * `/r/:restaurantId/admin/tokens` — API tokens for kitchen screens, menu boards and
 * integrations: the list (name, scopes, created, last used, revoked), creating one (name
 * and scopes; its secret is shown once, with Copy and a warning, and kept nowhere but on
 * screen until "Done"), and revoking one after a confirmation.
 */
import { useMutation, useQuery } from "@tanstack/react-query";
import { useEffect, useRef, useState, type FormEvent } from "react";

import { unwrap } from "../../api/client";
import { queryKeys } from "../../api/queries";
import { useRestaurantScope } from "../../auth/restaurant";
import { useServices } from "../../services";
import { apiTokensQuery, type ApiTokenCreated, type ApiTokenRead } from "./adminApi";
import { ConfirmDialog, Field, FormError, QueryGate, formatDateTime, serverFieldError, useRestaurant } from "./common";
import { SCOPES, SCOPE_PRESETS, type Scope } from "./scopes";

export function TokensAdmin() {
  const { api } = useServices();
  const { restaurantId: rid } = useRestaurantScope();
  const tokens = useQuery(apiTokensQuery(api, rid));
  const restaurant = useRestaurant();
  const [created, setCreated] = useState<ApiTokenCreated | null>(null);
  return (
    <div className="admin-page tokens-admin">
      <h1>API tokens</h1>
      <p className="admin-muted">
        A token lets a device or another program use Brigade without a person's login: a kitchen screen, a menu board, an
        export. Give it only the scopes it needs.
      </p>
      {created ? <NewSecret token={created} onDone={() => setCreated(null)} /> : null}
      <QueryGate queries={[tokens]} what="the API tokens">
        {() => <TokenList tokens={tokens.data?.items ?? []} timeZone={restaurant.data?.time_zone} />}
      </QueryGate>
      <CreateToken onCreated={setCreated} />
    </div>
  );
}

/** The secret of a token just created: shown this once, with Copy and a warning. */
function NewSecret({ token, onDone }: { token: ApiTokenCreated; onDone: () => void }) {
  const inputRef = useRef<HTMLInputElement>(null);
  const headingRef = useRef<HTMLHeadingElement>(null);
  const [copied, setCopied] = useState<"yes" | "failed" | null>(null);
  useEffect(() => headingRef.current?.focus(), []);
  const copy = async () => {
    try {
      if (!navigator.clipboard) throw new Error("no clipboard");
      await navigator.clipboard.writeText(token.token);
      setCopied("yes");
    } catch {
      inputRef.current?.select();
      setCopied("failed");
    }
  };
  return (
    <section className="secret-panel" aria-labelledby="secret-title">
      <h2 id="secret-title" ref={headingRef} tabIndex={-1}>
        Token "{token.name}" created
      </h2>
      <p role="note">
        <strong>Copy the secret now: it is shown only this once.</strong> Brigade keeps only a hash of it; if it is lost,
        revoke the token and create another.
      </p>
      <div className="field">
        <label htmlFor="new-token-secret">Token secret</label>
        <div className="secret-value">
          <input
            id="new-token-secret"
            ref={inputRef}
            readOnly
            value={token.token}
            spellCheck={false}
            autoComplete="off"
            onFocus={(e) => e.target.select()}
          />
          <button type="button" className="button button-primary" onClick={() => void copy()}>
            Copy
          </button>
        </div>
        <p role="status" className={copied === "failed" ? "error-message" : "saved-note"}>
          {copied === "yes" ? "Copied." : copied === "failed" ? "Could not copy: the secret is selected, copy it by hand." : ""}
        </p>
      </div>
      <button type="button" className="button" onClick={onDone}>
        Done: I have stored it
      </button>
    </section>
  );
}

function TokenList({ tokens, timeZone }: { tokens: readonly ApiTokenRead[]; timeZone: string | undefined }) {
  const { api, queryClient } = useServices();
  const { restaurantId: rid } = useRestaurantScope();
  const [revoking, setRevoking] = useState<ApiTokenRead | null>(null);
  const revoke = useMutation({
    mutationFn: (token: ApiTokenRead) =>
      unwrap(
        api.DELETE("/api/v1/restaurants/{restaurant_id}/api-tokens/{token_id}", {
          params: { path: { restaurant_id: rid, token_id: token.id } },
        }),
      ),
    onSuccess: async () => {
      setRevoking(null);
      await queryClient.invalidateQueries({ queryKey: queryKeys.apiTokens(rid) });
    },
  });
  if (tokens.length === 0) return <p className="admin-empty">No API tokens yet.</p>;
  return (
    <>
      <table className="admin-table" aria-label="API tokens">
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Scopes</th>
            <th scope="col">Created</th>
            <th scope="col">Last used</th>
            <th scope="col">Status</th>
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {tokens.map((token) => (
            <tr key={token.id}>
              <th scope="row" data-label="Name">
                {token.name} <span className="admin-muted scope-code">{token.prefix}…</span>
              </th>
              <td data-label="Scopes">
                <span className="scope-code">{token.scopes.join(", ")}</span>
              </td>
              <td data-label="Created">{formatDateTime(token.created_at, timeZone)}</td>
              <td data-label="Last used">{token.last_used_at ? formatDateTime(token.last_used_at, timeZone) : "Never"}</td>
              <td data-label="Status">
                {token.revoked_at ? (
                  <span className="status-revoked">Revoked {formatDateTime(token.revoked_at, timeZone)}</span>
                ) : (
                  "Active"
                )}
              </td>
              <td>
                {token.revoked_at ? null : (
                  <button type="button" className="button" aria-label={`Revoke ${token.name}`} onClick={() => setRevoking(token)}>
                    Revoke
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {revoking ? (
        <ConfirmDialog
          title={`Revoke the token "${revoking.name}"?`}
          confirmLabel="Revoke"
          busy={revoke.isPending}
          error={revoke.error}
          onCancel={() => {
            setRevoking(null);
            revoke.reset();
          }}
          onConfirm={() => revoke.mutate(revoking)}
        >
          <p>Every device using it is refused from now on. This cannot be undone.</p>
        </ConfirmDialog>
      ) : null}
    </>
  );
}

function CreateToken({ onCreated }: { onCreated: (token: ApiTokenCreated) => void }) {
  const { api, queryClient } = useServices();
  const { restaurantId: rid } = useRestaurantScope();
  const [name, setName] = useState("");
  const [scopes, setScopes] = useState<ReadonlySet<Scope>>(new Set());
  const [local, setLocal] = useState<{ name?: string; scopes?: string }>({});
  const create = useMutation({
    mutationFn: (body: { name: string; scopes: Scope[] }) =>
      unwrap(api.POST("/api/v1/restaurants/{restaurant_id}/api-tokens", { params: { path: { restaurant_id: rid } }, body })),
    onSuccess: async (token) => {
      onCreated(token);
      create.reset(); // the secret is kept by the panel on screen only
      setName("");
      setScopes(new Set());
      await queryClient.invalidateQueries({ queryKey: queryKeys.apiTokens(rid) });
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const errors: typeof local = {};
    if (name.trim() === "") errors.name = "Give the token a name (where it is used).";
    if (scopes.size === 0) errors.scopes = "Choose at least one scope.";
    setLocal(errors);
    if (errors.name || errors.scopes) return;
    create.mutate({ name: name.trim(), scopes: SCOPES.map((s) => s.value).filter((v) => scopes.has(v)) });
  };
  const toggle = (value: Scope, on: boolean) =>
    setScopes((current) => {
      const next = new Set(current);
      if (on) next.add(value);
      else next.delete(value);
      return next;
    });
  const scopesError = local.scopes ?? serverFieldError(create.error, "scopes");
  return (
    <section className="admin-panel" aria-labelledby="create-token-title">
      <h2 id="create-token-title">Create a token</h2>
      <form className="admin-form" aria-label="Create a token" onSubmit={submit} noValidate>
        <Field label="Token name" hint="Where it is used, e.g. “Oven screen”." error={local.name ?? serverFieldError(create.error, "name")}>
          {(control) => <input {...control} value={name} onChange={(e) => setName(e.target.value)} maxLength={100} />}
        </Field>
        <fieldset aria-describedby={scopesError ? "token-scopes-error" : undefined}>
          <legend>Scopes</legend>
          <div className="form-actions scope-presets">
            <span className="admin-muted">Presets:</span>
            {SCOPE_PRESETS.map((preset) => (
              <button key={preset.name} type="button" className="button" onClick={() => setScopes(new Set(preset.scopes))}>
                {preset.name}
              </button>
            ))}
          </div>
          <div className="scope-grid">
            {SCOPES.map((scope) => (
              <label key={scope.value} className="check">
                <input type="checkbox" checked={scopes.has(scope.value)} onChange={(e) => toggle(scope.value, e.target.checked)} />
                <span>
                  <span className="scope-code">{scope.value}</span>
                  <br />
                  <span className="admin-muted">{scope.label}</span>
                </span>
              </label>
            ))}
          </div>
          {scopesError ? (
            <p role="alert" id="token-scopes-error" className="error-message">
              {scopesError}
            </p>
          ) : null}
        </fieldset>
        <FormError error={create.error} fields={["name", "scopes"]} />
        <div className="form-actions">
          <button type="submit" className="button button-primary" disabled={create.isPending}>
            Create token
          </button>
        </div>
      </form>
    </section>
  );
}
