// The asynchronous customer part of the API (operation 612 offline): upload, status, and HQ's sync job.
import { z } from "zod";

export const ASYNC_CUSTOMER_ROUTES = {
  /** Device: upload customers created offline (idempotent by temporary id); list this register's. */
  device: "/v1/customers/async",
  /** Admin: every async customer, and HQ's "synchronize customers from async mode" job. */
  admin: "/v1/admin/customers/async",
  sync: "/v1/admin/customers/async/sync",
} as const;

export const asyncCustomerUploadSchema = z.strictObject({
  tempId: z.string().regex(/^TMP-[A-Za-z0-9-]+$/, "expected a temporary id such as TMP-SEA01-R1-0001"),
  name: z.string().min(1).max(200),
  email: z.string().max(200).nullable().optional(),
  phone: z.string().max(50).nullable().optional(),
  createdAt: z.string().max(40),
});
export const asyncCustomerUploadBodySchema = z.strictObject({
  customers: z.array(asyncCustomerUploadSchema).min(1).max(1000),
});
export type AsyncCustomerUpload = z.infer<typeof asyncCustomerUploadSchema>;

export const asyncCustomerSchema = z.object({
  tempId: z.string(),
  register: z.string(),
  store: z.string(),
  name: z.string(),
  /** Pending: uploaded, waiting for HQ's job; Created: a real customer exists under customerId. */
  status: z.enum(["Pending", "Created"]),
  customerId: z.string().nullable(),
  receivedAt: z.string(),
  createdAt: z.string().nullable(),
});
export type AsyncCustomer = z.infer<typeof asyncCustomerSchema>;
export const asyncCustomersAnswerSchema = z.object({ customers: z.array(asyncCustomerSchema) });
export type AsyncCustomersAnswer = z.infer<typeof asyncCustomersAnswerSchema>;
export const asyncCustomerSyncAnswerSchema = z.object({
  created: z.array(z.object({ tempId: z.string(), customerId: z.string() })),
  changeVersion: z.number().int().nullable(),
});
export type AsyncCustomerSyncAnswer = z.infer<typeof asyncCustomerSyncAnswerSchema>;
