/** `/r/:restaurantId/admin/menu` — the menu editor. */
import { Placeholder } from "../../components/Placeholder";

export function MenuAdmin() {
  return <Placeholder title="Menu editor">Categories, items, sizes, modifier groups, prices and 86.</Placeholder>;
}
