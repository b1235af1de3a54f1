/** `/r/:restaurantId/floor` — the waiter's floor: every table with its live service state. */
import { Placeholder } from "../../components/Placeholder";

export function FloorScreen() {
  return (
    <Placeholder title="Floor">
      Every table by area with its service state (free, seated, in the kitchen, ready, check requested), covers and
      time seated; tap a table to open or continue its order.
    </Placeholder>
  );
}
