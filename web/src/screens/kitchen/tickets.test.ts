import { QueryClient } from "@tanstack/react-query";
import { describe, expect, it } from "vitest";

import { queryKeys } from "../../api/queries";
import type { TicketList } from "../../api/types";
import { AGE_LATE_MS, AGE_WARN_MS, ageLevel } from "./config";
import { line, menuWithStations, ticket } from "./testData";
import {
  applyTicket,
  destinationLabel,
  formatTimer,
  menuStations,
  nextLineStep,
  oldestFirst,
  recentlyBumped,
  ticketAgeMs,
} from "./tickets";

describe("ticket order", () => {
  it("puts the oldest ticket first, ties by id, without changing the input", () => {
    const input = [
      ticket(3, "2026-01-01T19:10:00Z"),
      ticket(2, "2026-01-01T19:05:00Z"),
      ticket(9, "2026-01-01T19:00:00Z"),
      ticket(1, "2026-01-01T19:05:00Z"),
    ];
    expect(oldestFirst(input).map((t) => t.id)).toEqual([9, 1, 2, 3]);
    expect(input.map((t) => t.id)).toEqual([3, 2, 9, 1]);
  });
});

describe("age targets", () => {
  it("are 10 and 15 minutes", () => {
    expect(AGE_WARN_MS).toBe(600_000);
    expect(AGE_LATE_MS).toBe(900_000);
  });

  it("turn amber at the first target and red at the second", () => {
    expect(ageLevel(0)).toBe("ok");
    expect(ageLevel(AGE_WARN_MS - 1)).toBe("ok");
    expect(ageLevel(AGE_WARN_MS)).toBe("warn");
    expect(ageLevel(AGE_LATE_MS - 1)).toBe("warn");
    expect(ageLevel(AGE_LATE_MS)).toBe("late");
    expect(ageLevel(3 * AGE_LATE_MS)).toBe("late");
  });

  it("count from when the ticket was fired, in mm:ss", () => {
    const t = ticket(1, "2026-01-01T19:00:00Z");
    const now = new Date("2026-01-01T19:12:07Z").getTime();
    expect(ticketAgeMs(t, now)).toBe(727_000);
    expect(formatTimer(ticketAgeMs(t, now))).toBe("12:07");
    expect(formatTimer(0)).toBe("00:00");
    expect(formatTimer(75 * 60_000 + 3_999)).toBe("75:03");
    expect(ticketAgeMs(t, new Date("2026-01-01T18:59:00Z").getTime())).toBe(0); // a clock behind
  });
});

describe("labels and steps", () => {
  it("names the destination", () => {
    expect(destinationLabel("4")).toBe("Table 4");
    expect(destinationLabel("Table 9")).toBe("Table 9");
    expect(destinationLabel(null)).toBe("Takeaway");
  });

  it("steps a line new → start, preparing → ready, and nothing else", () => {
    expect(nextLineStep(line({ status: "new" }))).toBe("start");
    expect(nextLineStep(line({ status: "preparing" }))).toBe("ready");
    expect(nextLineStep(line({ status: "ready" }))).toBeNull();
    expect(nextLineStep(line({ status: "bumped" }))).toBeNull();
    expect(nextLineStep(line({ status: "new", voided: true }))).toBeNull();
    expect(nextLineStep(line({ status: "voided" }))).toBeNull();
  });

  it("lists the menu's stations once, sorted, with the URL's", () => {
    expect(menuStations(menuWithStations("oven", "bar", "oven"), ["grill", null])).toEqual(["bar", "grill", "oven"]);
    expect(menuStations(undefined, ["oven"])).toEqual(["oven"]);
  });
});

describe("recently bumped", () => {
  it("keeps the newest version of each bumped ticket of the station, newest bump first", () => {
    const a = ticket(1, "2026-01-01T19:00:00Z", { status: "bumped", bumped_at: "2026-01-01T19:20:00Z", version: 3 });
    const b = ticket(2, "2026-01-01T19:01:00Z", { status: "bumped", bumped_at: "2026-01-01T19:25:00Z", version: 3 });
    const bRecalled = { ...b, status: "ready" as const, recalled_at: "2026-01-01T19:26:00Z", version: 4 };
    const c = ticket(3, "2026-01-01T19:02:00Z", { status: "bumped", bumped_at: "2026-01-01T19:22:00Z", station: "bar" });
    expect(recentlyBumped([a, b, c], "oven", 5).map((t) => t.id)).toEqual([2, 1]);
    expect(recentlyBumped([a, bRecalled, b, c], "oven", 5).map((t) => t.id)).toEqual([1]);
    expect(recentlyBumped([a, b, c], null, 2).map((t) => t.id)).toEqual([2, 3]);
  });
});

describe("applyTicket", () => {
  it("updates the station's and expo's open lists, and takes a bumped ticket off", () => {
    const client = new QueryClient();
    const t1 = ticket(1, "2026-01-01T19:00:00Z");
    const t2 = ticket(2, "2026-01-01T19:01:00Z");
    client.setQueryData<TicketList>(queryKeys.tickets(1, "oven"), { items: [t1, t2], total: 2 });
    client.setQueryData<TicketList>(queryKeys.tickets(1, null), { items: [t1, t2], total: 2 });
    client.setQueryData<TicketList>(queryKeys.tickets(1, "bar"), { items: [], total: 0 });
    applyTicket(client, 1, { ...t1, status: "preparing", version: 2 });
    expect(client.getQueryData<TicketList>(queryKeys.tickets(1, "oven"))?.items[0]?.status).toBe("preparing");
    applyTicket(client, 1, { ...t1, status: "new", version: 1 }); // older: ignored
    expect(client.getQueryData<TicketList>(queryKeys.tickets(1, null))?.items[0]?.status).toBe("preparing");
    applyTicket(client, 1, { ...t2, status: "bumped", version: 2 });
    expect(client.getQueryData<TicketList>(queryKeys.tickets(1, "oven"))).toMatchObject({ total: 1, items: [{ id: 1 }] });
    expect(client.getQueryData<TicketList>(queryKeys.tickets(1, null))?.items.map((t) => t.id)).toEqual([1]);
    expect(client.getQueryData<TicketList>(queryKeys.tickets(1, "bar"))?.items).toEqual([]);
  });
});
