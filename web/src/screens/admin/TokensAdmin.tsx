/** `/r/:restaurantId/admin/tokens` — API tokens. */
import { Placeholder } from "../../components/Placeholder";

export function TokensAdmin() {
  return <Placeholder title="API tokens">Scoped tokens for kitchen screens and integrations; revoke.</Placeholder>;
}
