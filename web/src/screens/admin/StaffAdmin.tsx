/** `/r/:restaurantId/admin/staff` — staff logins and roles. */
import { Placeholder } from "../../components/Placeholder";

export function StaffAdmin() {
  return <Placeholder title="Staff">Staff logins and their roles.</Placeholder>;
}
