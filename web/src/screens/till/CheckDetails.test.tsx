import { render, screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";

import { itemOf } from "../order-pad/testing";
import { CheckDetails, lineDetails } from "./CheckDetails";
import { check, order } from "./testData";

describe("the check's lines", () => {
  it("say each line's modifiers as the kitchen read them and its seat", () => {
    const item = itemOf({
      id: 1,
      seat: 2,
      modifiers: [
        { id: 1, name: "Extra cheese", label: "Extra cheese", kind: "add", price_delta: 150 },
        { id: 9, name: "Red Onions", label: "NO Red Onions", kind: "remove", price_delta: 0 },
      ],
    });
    render(<CheckDetails check={check(5, 7)} order={order(7, { items: [item] })} />);
    expect(screen.getByText("Extra cheese, NO Red Onions · seat 2")).toBeInTheDocument();
  });

  it("leave out what a line does not have", () => {
    expect(lineDetails({ modifiers: [], seat: null })).toBe("");
    expect(lineDetails({ seat: 3 })).toBe("seat 3");
  });
});
