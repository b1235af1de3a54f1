/**
 * "Void" a line: a reason — picked from the restaurant's void reasons when it sets any,
 * else typed — then the void goes through the order's outbox. The dialog closes when the
 * server confirms; a refusal (e.g. no permission, already voided by someone else) is
 * shown next to the reason; with no connection it says the void is pending and may be
 * closed (the outbox keeps retrying).
 *
 * A line the kitchen has started (preparing, ready, served) needs a manager unless the
 * waiter is one (`voidRules.ts`): the dialog asks for a manager's approval — on a
 * registered device the manager taps their name and types their PIN, elsewhere their
 * username and password. Such a void is sent at once, not through the outbox: a PIN or
 * password is never stored on the device.
 */
import { useQuery } from "@tanstack/react-query";
import { useEffect, useId, useState, useSyncExternalStore } from "react";

import { unwrap } from "../../api/client";
import { ApiError } from "../../api/errors";
import { queryKeys, restaurantQuery } from "../../api/queries";
import { useRestaurantScope } from "../../auth/restaurant";
import { ErrorMessage } from "../../components/ErrorMessage";
import { deviceHeaders, isValidPin, readDevice } from "../../device/device";
import { PinPad } from "../../device/PinPad";
import { currentDeviceQuery } from "../../device/queries";
import { newIdempotencyKey } from "../../lib/idempotency";
import { useServices } from "../../services";
import { Dialog } from "./Dialog";
import { opStatusText } from "./OrderPanel";
import type { OrderOutbox } from "./outbox";
import { ReasonField } from "./ReasonField";
import type { OrderItemRead } from "./types";
import { approvers, needsApproval, passwordApproval, pinApproval, reasonChoices, type Approval } from "./voidRules";

export interface VoidDialogProps {
  item: OrderItemRead;
  outbox: OrderOutbox;
  onClose: () => void;
}

export function VoidDialog({ item, outbox, onClose }: VoidDialogProps) {
  const { api, publicApi, queryClient } = useServices();
  const { role } = useRestaurantScope();
  const rid = outbox.restaurantId;
  const restaurant = useQuery(restaurantQuery(api, rid));
  const choices = reasonChoices(restaurant.data?.void_reasons);
  const [device] = useState(() => readDevice());
  const [reason, setReason] = useState("");
  const [missing, setMissing] = useState<string | null>(null);
  const [opId, setOpId] = useState<string | null>(null);
  const [approverId, setApproverId] = useState<number | null>(null);
  const [pin, setPin] = useState("");
  const [username, setUsername] = useState("");
  const [password, setPassword] = useState("");
  const [approvalError, setApprovalError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const state = useSyncExternalStore(
    (listener) => outbox.subscribe(listener),
    () => outbox.getState(),
  );
  const op = opId === null ? undefined : state.ops.find((o) => o.id === opId);
  const done = opId !== null && op === undefined;
  const error = op?.status === "failed" && op.problem ? new ApiError(op.problem) : null;
  const approval = needsApproval(item.status, role) || (error !== null && error.is("void-approval-required"));
  const pinDevice = approval && device !== null && device.restaurantId === rid ? device : null;
  const current = useQuery({
    ...currentDeviceQuery(publicApi, pinDevice ?? { secret: "", id: 0, name: "", kind: "", restaurantId: rid, idleSeconds: 0 }),
    enabled: pinDevice !== null,
  });
  const managers = approvers(current.data?.staff ?? []);

  const close = () => {
    if (op?.status === "failed") outbox.dismiss(op.id);
    onClose();
  };
  useEffect(() => {
    if (done) onClose(); // confirmed by the server: nothing left to show
  }, [done, onClose]);

  const sendApproved = async (given: Approval) => {
    setBusy(true);
    setApprovalError(null);
    try {
      const order = await unwrap(
        api.POST("/api/v1/restaurants/{restaurant_id}/orders/{order_id}/items/{item_id}/void", {
          params: { path: { restaurant_id: rid, order_id: outbox.orderId, item_id: item.id } },
          body: { reason: reason.trim(), approval: given },
          headers: { "Idempotency-Key": newIdempotencyKey(), ...deviceHeaders(pinDevice) },
        }),
      );
      queryClient.setQueryData(queryKeys.order(rid, outbox.orderId), order);
      void queryClient.invalidateQueries({ queryKey: queryKeys.floor(rid), exact: true });
      if (op?.status === "failed") outbox.dismiss(op.id);
      onClose();
    } catch (err) {
      setApprovalError(err);
      setPin("");
      setBusy(false);
    }
  };

  const submit = () => {
    if (reason.trim() === "") {
      setMissing(choices ? "Pick a reason for the void." : "Give a reason for the void.");
      return;
    }
    if (!approval) {
      if (op?.status === "failed") outbox.dismiss(op.id);
      setOpId(outbox.voidItem(item.id, reason.trim()));
      return;
    }
    if (pinDevice !== null) {
      if (approverId === null) return setApprovalError(new Error("Choose the manager who approves."));
      if (!isValidPin(pin)) return setApprovalError(new Error("The manager's PIN is 4 to 6 digits."));
      void sendApproved(pinApproval(approverId, pin));
    } else {
      if (username.trim() === "" || password === "") {
        return setApprovalError(new Error("A manager's username and password are needed."));
      }
      void sendApproved(passwordApproval(username, password));
    }
  };

  const title = `Void ${item.quantity} × ${item.name}`;
  return (
    <Dialog title={title} onClose={close}>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          submit();
        }}
      >
        {choices ? (
          <ReasonChoices
            choices={choices}
            value={reason}
            onChange={(value) => {
              setReason(value);
              setMissing(null);
            }}
            missingMessage={missing}
            error={approval ? null : error}
          />
        ) : (
          <ReasonField
            value={reason}
            onChange={(value) => {
              setReason(value);
              setMissing(null);
            }}
            missingMessage={missing}
            error={approval ? null : error}
            placeholder="e.g. guest changed their mind"
          />
        )}
        {approval ? (
          <fieldset className="void-approval">
            <legend>Manager approval</legend>
            <p className="pad-note">
              This line is {item.status === "preparing" ? "being prepared" : item.status}: a manager must approve the void.
            </p>
            {pinDevice !== null ? (
              <>
                {current.isError ? <ErrorMessage error={current.error} /> : null}
                <div className="void-approvers" role="radiogroup" aria-label="Approving manager">
                  {managers.map((m) => (
                    <label key={m.user_id} className="choice">
                      <input
                        type="radio"
                        name="approver"
                        checked={approverId === m.user_id}
                        onChange={() => setApproverId(m.user_id)}
                      />
                      {m.full_name || m.username}
                    </label>
                  ))}
                </div>
                <PinPad label="Manager PIN" value={pin} onChange={setPin} onSubmit={submit} busy={busy} />
              </>
            ) : (
              <PasswordApproval
                username={username}
                password={password}
                onUsername={setUsername}
                onPassword={setPassword}
              />
            )}
            <ErrorMessage error={approvalError ?? (approval ? error : null)} />
          </fieldset>
        ) : null}
        {op !== undefined && op.status !== "failed" ? (
          <p className="pad-note" role="status">
            {opStatusText(op)}
            {op.status === "retrying" ? " — you can close this; the void will go through when the connection is back." : ""}
          </p>
        ) : null}
        <div className="dialog-actions">
          <button type="button" className="button" onClick={close}>
            Keep line
          </button>
          <button
            type="submit"
            className="button button-danger"
            disabled={busy || (op !== undefined && op.status !== "failed")}
          >
            {approval ? "Approve and void" : "Void line"}
          </button>
        </div>
      </form>
    </Dialog>
  );
}

function ReasonChoices({
  choices,
  value,
  onChange,
  missingMessage,
  error,
}: {
  choices: readonly string[];
  value: string;
  onChange: (value: string) => void;
  missingMessage: string | null;
  error: unknown;
}) {
  const id = useId();
  return (
    <fieldset className="void-reasons" aria-describedby={`${id}-error`}>
      <legend>Reason</legend>
      {choices.map((choice) => (
        <label key={choice} className="choice">
          <input type="radio" name={`${id}-reason`} checked={value === choice} onChange={() => onChange(choice)} />
          {choice}
        </label>
      ))}
      <div id={`${id}-error`}>
        {missingMessage !== null ? (
          <p role="alert" className="error-message">
            {missingMessage}
          </p>
        ) : null}
        <ErrorMessage error={error} />
      </div>
    </fieldset>
  );
}

function PasswordApproval(props: {
  username: string;
  password: string;
  onUsername: (value: string) => void;
  onPassword: (value: string) => void;
}) {
  const id = useId();
  return (
    <>
      <div className="field">
        <label htmlFor={`${id}-user`}>Manager's username</label>
        <input
          id={`${id}-user`}
          autoComplete="off"
          autoCapitalize="none"
          value={props.username}
          onChange={(e) => props.onUsername(e.target.value)}
        />
      </div>
      <div className="field">
        <label htmlFor={`${id}-password`}>Manager's password</label>
        <input
          id={`${id}-password`}
          type="password"
          autoComplete="off"
          value={props.password}
          onChange={(e) => props.onPassword(e.target.value)}
        />
      </div>
    </>
  );
}
