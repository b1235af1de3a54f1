import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";

import { MenuPanel } from "./MenuPanel";
import { MENU, SODA } from "./testing";
import type { MenuRead } from "./types";

/** The test menu with the soda counted at `remaining`. */
function menuWithSodaLeft(remaining: number | null, isAvailable = true): MenuRead {
  return {
    ...MENU,
    categories: MENU.categories.map((c) => ({
      ...c,
      items: c.items.map((i) => (i.id === SODA.id ? { ...i, remaining, is_available: isAvailable } : i)),
    })),
  };
}

function showSoda() {
  const category = MENU.categories.find((c) => c.items.some((i) => i.id === SODA.id));
  return category?.name ?? "";
}

describe("the pad's menu: counts and 86", () => {
  it('says "N left" of a counted item, nothing of the others, and offers no 86 without the permission', async () => {
    const user = userEvent.setup();
    render(<MenuPanel menu={menuWithSodaLeft(5)} onPick={vi.fn()} />);
    await user.click(screen.getByRole("button", { name: showSoda() }));
    expect(screen.getByRole("button", { name: SODA.name })).toHaveAccessibleDescription(/· 5 left$/);
    expect(screen.queryByRole("button", { name: `86 ${SODA.name}` })).toBeNull();
  });

  it("86es an item and puts it back with the permission", async () => {
    const user = userEvent.setup();
    const on86 = vi.fn();
    const { rerender } = render(<MenuPanel menu={menuWithSodaLeft(null)} onPick={vi.fn()} on86={on86} />);
    await user.click(screen.getByRole("button", { name: showSoda() }));
    await user.click(screen.getByRole("button", { name: `86 ${SODA.name}` }));
    expect(on86).toHaveBeenCalledWith(expect.objectContaining({ id: SODA.id }), false);

    rerender(<MenuPanel menu={menuWithSodaLeft(0, false)} onPick={vi.fn()} on86={on86} />);
    expect(screen.getByRole("button", { name: SODA.name })).toBeDisabled();
    await user.click(screen.getByRole("button", { name: `Back on ${SODA.name}` }));
    expect(on86).toHaveBeenLastCalledWith(expect.objectContaining({ id: SODA.id }), true);
  });
});
