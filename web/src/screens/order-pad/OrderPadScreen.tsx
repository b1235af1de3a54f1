/** `/r/:restaurantId/orders/:orderId` — the order pad: add lines with modifiers, send, fire courses. */
import { useParams } from "react-router";

import { Placeholder } from "../../components/Placeholder";

export function OrderPadScreen() {
  const { orderId } = useParams();
  return (
    <Placeholder title={`Order ${orderId ?? ""}`}>
      The menu by category, lines with sizes and modifiers, void, send course 1 and fire later courses.
    </Placeholder>
  );
}
