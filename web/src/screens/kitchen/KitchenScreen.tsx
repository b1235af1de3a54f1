/** `/r/:restaurantId/kitchen?station=grill` — the kitchen display of a station; without `station`, expo. */
import { useSearchParams } from "react-router";

import { Placeholder } from "../../components/Placeholder";

export function KitchenScreen() {
  const [params] = useSearchParams();
  const station = params.get("station");
  return (
    <Placeholder title={station ? `Kitchen — ${station}` : "Kitchen — expo"}>
      Open tickets oldest first with their age; start, ready and bump tickets and lines; recall a bumped ticket.
    </Placeholder>
  );
}
