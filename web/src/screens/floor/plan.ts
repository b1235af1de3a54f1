/**
 * The floor plan's geometry, shared by the floor screen and the admin plan editor. An
 * area's plan is `PLAN_WIDTH` × `PLAN_HEIGHT` plan units (the server's
 * `brigade.tables.schemas.PLAN_WIDTH`/`PLAN_HEIGHT`); a table's box (`plan_x`, `plan_y`,
 * `plan_width`, `plan_height`) is drawn in percentages of it, so the plan scales with the
 * screen.
 */
export const PLAN_WIDTH = 1000;
export const PLAN_HEIGHT = 700;
export const PLAN_MIN_SIDE = 30;
export const PLAN_MAX_SIDE = 400;

export type TableShape = "square" | "round" | "rectangle";

export interface PlanBox {
  plan_x: number | null;
  plan_y: number | null;
  plan_width: number;
  plan_height: number;
}

/** Whether the table is placed on the plan. */
export function isPlaced<T extends PlanBox>(box: T): box is T & { plan_x: number; plan_y: number } {
  return box.plan_x !== null && box.plan_y !== null;
}

/** The CSS box (percentages of the plan) of a placed table. */
export function boxStyle(box: PlanBox & { plan_x: number; plan_y: number }): {
  left: string;
  top: string;
  width: string;
  height: string;
} {
  const width = box.plan_width;
  const height = box.plan_height;
  return {
    left: `${(box.plan_x / PLAN_WIDTH) * 100}%`,
    top: `${(box.plan_y / PLAN_HEIGHT) * 100}%`,
    width: `${(width / PLAN_WIDTH) * 100}%`,
    height: `${(height / PLAN_HEIGHT) * 100}%`,
  };
}

/** `value` kept within `low`..`high`, rounded to a whole plan unit. */
export function clamp(value: number, low: number, high: number): number {
  return Math.round(Math.min(high, Math.max(low, value)));
}

/**
 * Where a table of `width` × `height` lands when dragged from (`x`, `y`) by `dx`, `dy`
 * screen pixels on a plan drawn `planPixels` wide: the position in plan units, kept on
 * the plan.
 */
export function dragTo(
  start: { x: number; y: number },
  delta: { dx: number; dy: number },
  size: { width: number; height: number },
  planPixels: number,
): { x: number; y: number } {
  const scale = planPixels > 0 ? PLAN_WIDTH / planPixels : 1;
  return {
    x: clamp(start.x + delta.dx * scale, 0, PLAN_WIDTH - size.width),
    y: clamp(start.y + delta.dy * scale, 0, PLAN_HEIGHT - size.height),
  };
}
