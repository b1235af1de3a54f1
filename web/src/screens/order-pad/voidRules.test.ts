import { describe, expect, it } from "vitest";

import { approvers, needsApproval, passwordApproval, pinApproval, reasonChoices } from "./voidRules";

describe("needsApproval", () => {
  it("asks a waiter for a manager once the kitchen has started", () => {
    expect(needsApproval("preparing", "waiter")).toBe(true);
    expect(needsApproval("ready", "cashier")).toBe(true);
    expect(needsApproval("served", "waiter")).toBe(true);
  });
  it("lets a waiter void a line not started", () => {
    expect(needsApproval("pending", "waiter")).toBe(false);
    expect(needsApproval("fired", "waiter")).toBe(false);
  });
  it("never asks a manager", () => {
    expect(needsApproval("ready", "manager")).toBe(false);
    expect(needsApproval("ready", "owner")).toBe(false);
    expect(needsApproval("ready", "admin")).toBe(false);
  });
});

describe("reasonChoices", () => {
  it("is the restaurant's list, or free text without one", () => {
    expect(reasonChoices(["Burnt", "Wrong item"])).toEqual(["Burnt", "Wrong item"]);
    expect(reasonChoices([])).toBeNull();
    expect(reasonChoices(undefined)).toBeNull();
  });
});

describe("approvals", () => {
  it("offers the owners and managers of the device's staff", () => {
    const staff = [
      { user_id: 1, role: "waiter" },
      { user_id: 2, role: "manager" },
      { user_id: 3, role: "owner" },
      { user_id: 4, role: "kitchen" },
    ];
    expect(approvers(staff).map((s) => s.user_id)).toEqual([2, 3]);
  });
  it("builds the body of either method", () => {
    expect(pinApproval(2, "4321")).toEqual({ method: "pin", approver_id: 2, pin: "4321" });
    expect(passwordApproval(" boss ", "secret")).toEqual({ method: "password", username: "boss", password: "secret" });
  });
});
