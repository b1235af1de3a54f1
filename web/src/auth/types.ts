/** Types of the session: the generated user shapes and the roles the web app knows. */
import type { components } from "../api/schema";

export type UserRead = components["schemas"]["UserRead"];
export type MeRead = components["schemas"]["MeRead"];
export type MembershipRead = components["schemas"]["MembershipRead"];
export type DeviceLogin = components["schemas"]["DeviceLogin"];
export type CurrentDevice = components["schemas"]["CurrentDevice"];
