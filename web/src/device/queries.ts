/** The registered device's own data: `GET /api/v1/devices/current` with its secret. */
import type { ApiClient } from "../api/client";
import { unwrap } from "../api/client";
import type { CurrentDevice } from "../auth/types";
import { deviceHeaders, type DeviceRegistration } from "./device";

/** Query options of the device's staff list and idle time (`publicApi`: no bearer token needed). */
export function currentDeviceQuery(publicApi: ApiClient, device: DeviceRegistration) {
  return {
    queryKey: ["device", device.id, "current"] as const,
    queryFn: ({ signal }: { signal: AbortSignal }): Promise<CurrentDevice> =>
      unwrap(publicApi.GET("/api/v1/devices/current", { headers: deviceHeaders(device), signal })),
    staleTime: 30_000,
  };
}
