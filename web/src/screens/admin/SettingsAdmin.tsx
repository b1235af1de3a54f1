/** `/r/:restaurantId/admin/settings` — the restaurant's settings. */
import { Placeholder } from "../../components/Placeholder";

export function SettingsAdmin() {
  return <Placeholder title="Settings">Name, currency, time zone and tax.</Placeholder>;
}
