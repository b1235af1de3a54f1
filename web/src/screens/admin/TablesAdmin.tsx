/** `/r/:restaurantId/admin/tables` — areas, tables and the printable QR sheet. */
import { Placeholder } from "../../components/Placeholder";

export function TablesAdmin() {
  return <Placeholder title="Tables and QR codes">Areas and tables, and a printable sheet of table QR codes.</Placeholder>;
}
