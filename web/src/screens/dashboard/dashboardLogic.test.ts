import { describe, expect, it } from "vitest";

import {
  addDays,
  axisMoney,
  dailySeries,
  datesOf,
  formatDuration,
  hourlySeries,
  includesDay,
  isValidRange,
  lateRefreshDelay,
  mixSeries,
  movesToday,
  prepSeries,
  presetRange,
  todayTiles,
  type SalesGroup,
} from "./dashboardLogic";

function group(key: string | number, net_sales: number, label = String(key)): SalesGroup {
  return { key, label, orders: 1, items_sold: 1, net_sales };
}

describe("date ranges", () => {
  it("anchors the presets on the restaurant's business date, across months and leap days", () => {
    expect(presetRange("today", "2026-12-03")).toEqual({ start: "2026-12-03", end: "2026-12-03" });
    expect(presetRange("7d", "2026-12-03")).toEqual({ start: "2026-11-27", end: "2026-12-03" });
    expect(presetRange("30d", "2024-03-01")).toEqual({ start: "2024-02-01", end: "2024-03-01" }); // 29 days in February
    expect(presetRange("30d", "2023-03-01")).toEqual({ start: "2023-01-31", end: "2023-03-01" });
    expect(presetRange("month", "2026-12-03")).toEqual({ start: "2026-12-01", end: "2026-12-03" });
    expect(addDays("2015-12-31", 1)).toBe("2016-01-01");
  });

  it("lists every day of a range and tells a valid range from a backwards one", () => {
    expect(datesOf({ start: "2026-02-27", end: "2026-03-02" })).toEqual([
      "2026-02-27",
      "2026-02-28",
      "2026-03-01",
      "2026-03-02",
    ]);
    expect(isValidRange({ start: "2026-12-03", end: "2026-12-03" })).toBe(true);
    expect(isValidRange({ start: "2026-12-04", end: "2026-12-03" })).toBe(false);
    expect(isValidRange({ start: "", end: "2026-12-03" })).toBe(false);
    expect(includesDay({ start: "2026-11-27", end: "2026-12-03" }, "2026-12-03")).toBe(true);
    expect(includesDay({ start: "2026-11-01", end: "2026-11-30" }, "2026-12-03")).toBe(false);
  });
});

describe("chart series", () => {
  it("draws every day of the range, a quiet day at zero", () => {
    const bars = dailySeries([group("2026-12-01", 12000), group("2026-12-03", 4550)], {
      start: "2026-11-30",
      end: "2026-12-03",
    });
    expect(bars.map((b) => [b.label, b.value])).toEqual([
      ["Mon 30", 0],
      ["Tue 1", 12000],
      ["Wed 2", 0],
      ["Thu 3", 4550],
    ]);
  });

  it("draws the hours from the first sale to the last, quiet hours between at zero", () => {
    const bars = hourlySeries([group(12, 9000), group(9, 0), group(14, 3000), group(23, 0)]);
    expect(bars.map((b) => [b.label, b.value])).toEqual([
      ["12:00", 9000],
      ["13:00", 0],
      ["14:00", 3000],
    ]);
    expect(hourlySeries([])).toEqual([]);
  });

  it("sorts a mix largest first, sums the tail into Other and gives shares that add up", () => {
    const slices = mixSeries(
      [group(1, 500, "Veggie"), group(2, 2500, "Classic"), group(3, 1000, "Supreme"), group(4, 0, "Chicken")],
      2,
    );
    expect(slices.map((s) => [s.label, s.value, s.share])).toEqual([
      ["Classic", 2500, 62.5],
      ["Other", 1500, 37.5],
    ]);
    expect(mixSeries([group("L", 300, "L"), group("M", 300, "M"), group("S", 300, "S")]).map((s) => s.share)).toEqual([
      33.3, 33.3, 33.3,
    ]);
  });

  it("writes money ticks compactly in whole units of the currency", () => {
    expect(axisMoney(125_000, "USD", "en-US")).toBe("$1.3K");
    expect(axisMoney(35_000, "USD", "en-US")).toBe("$350");
    expect(axisMoney(35_000, "JPY", "en-US")).toBe("¥35K");
  });
});

describe("prep times", () => {
  it("says durations as a cook would", () => {
    expect([formatDuration(45), formatDuration(720), formatDuration(750), formatDuration(-3)]).toEqual([
      "45 s",
      "12 min",
      "12 min 30 s",
      "0 s",
    ]);
  });

  it("gives each station with lines its average and target in minutes, by name", () => {
    const station = (name: string, lines: number, average: number, over = 0) => ({
      station: name,
      lines,
      average_seconds: average,
      longest_seconds: average,
      target_seconds: 600,
      over_target: over,
    });
    expect(prepSeries([station("oven", 3, 754, 2), station("bar", 1, 60), station("grill", 0, 0)])).toEqual([
      { key: "bar", label: "bar", average: 1, target: 10, summary: "1 min on average over 1 line, 0 over the 10 min target" },
      {
        key: "oven",
        label: "oven",
        average: 12.6,
        target: 10,
        summary: "12 min 34 s on average over 3 lines, 2 over the 10 min target",
      },
    ]);
  });
});

describe("today", () => {
  const figures = {
    currency: "USD",
    net_sales: 27500,
    orders: 2,
    average_check: 13750,
    covers: 7,
    open_checks: 1,
    open_sales: 650,
    tickets_open: 3,
    tickets_late: 1,
  };

  it("shows sales, covers, open checks and tickets late, the late tile calling for attention", () => {
    expect(todayTiles(figures)).toEqual([
      { name: "Sales", value: "$275.00", detail: "2 paid orders · average $137.50", alert: false },
      { name: "Covers", value: "7", detail: "guests seated today", alert: false },
      { name: "Open checks", value: "1", detail: "$6.50 still to pay", alert: false },
      { name: "Tickets late", value: "1", detail: "of 3 tickets in the kitchen", alert: true },
    ]);
    const quiet = todayTiles({ ...figures, net_sales: 0, orders: 0, open_checks: 0, tickets_late: 0, tickets_open: 1 });
    expect(quiet.map((t) => t.detail)).toEqual([
      "no paid order yet",
      "guests seated today",
      "every check settled",
      "of 1 ticket in the kitchen",
    ]);
    expect(quiet[3]?.alert).toBe(false);
  });

  it("reads today again after the events of orders, tickets, checks and payments only", () => {
    for (const type of ["order.created", "order.closed", "ticket.updated", "check.paid", "payment.created"]) {
      expect(movesToday(type)).toBe(true);
    }
    for (const type of ["table.updated", "menu.updated", "shift.opened", "staff.updated"]) {
      expect(movesToday(type)).toBe(false);
    }
  });

  it("schedules a read just after the next ticket turns late, at once when it is past", () => {
    const now = new Date("2026-12-03T19:00:00Z");
    expect(lateRefreshDelay("2026-12-03T19:02:00Z", now)).toBe(120_500);
    expect(lateRefreshDelay("2026-12-03T18:59:00Z", now, 0)).toBe(0);
    expect(lateRefreshDelay(null, now)).toBeNull();
    expect(lateRefreshDelay("not a time", now)).toBeNull();
  });
});
