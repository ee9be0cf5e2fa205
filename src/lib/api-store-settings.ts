// Store settings an admin edits at HQ (distributed by job 1070): customer creation offline and in async mode.
import { z } from "zod";

export const STORE_SETTINGS_ROUTE = "/v1/admin/stores/:id";
export const storeSettingsPath = (id: string) => `/v1/admin/stores/${encodeURIComponent(id)}`;

export const storeSettingsBodySchema = z
  .strictObject({
    /** D365 "customer creation in async mode": even online, a new customer gets a temporary id (Pending sync). */
    customerAsyncMode: z.boolean().optional(),
    /** The functionality profile's "create customer in offline mode". */
    offlineCustomerCreation: z.boolean().optional(),
  })
  .refine((b) => b.customerAsyncMode !== undefined || b.offlineCustomerCreation !== undefined, {
    message: "give customerAsyncMode or offlineCustomerCreation",
  });
export type StoreSettingsBody = z.input<typeof storeSettingsBodySchema>;

export const storeSettingsAnswerSchema = z.object({
  store: z.object({ id: z.string(), customerAsyncMode: z.boolean(), offlineCustomerCreation: z.boolean() }),
  changeVersion: z.number().int(),
});
export type StoreSettingsAnswer = z.infer<typeof storeSettingsAnswerSchema>;
