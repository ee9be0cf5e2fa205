// What a store server asks of HQ (pos server start --role store): its stores, customers, and P-0001 over HTTP.
import { z } from "zod";

const enc = encodeURIComponent;

export const STORE_LINK_ROUTES = {
  store: "/v1/store-link/stores/:store",
  customer: "/v1/store-link/customers/:id",
  uploads: "/v1/store-link/uploads/:store",
  /** Who a device token (by its hash) speaks for at HQ: a token the store server has not seen yet. */
  device: "/v1/store-link/devices/authenticate",
  /** Which of the device tokens (by hash) a store server keeps HQ still accepts, and for whom. */
  devices: "/v1/store-link/devices/check",
} as const;

export const storeLinkPath = {
  store: (store: string) => `/v1/store-link/stores/${enc(store)}`,
  customer: (id: string) => `/v1/store-link/customers/${enc(id)}`,
  uploads: (store: string) => `/v1/store-link/uploads/${enc(store)}`,
};

export const storeLinkStoreSchema = z.object({ store: z.string(), currency: z.string() });

export const deviceLookupBodySchema = z.object({ tokenHash: z.string().regex(/^[0-9a-f]{64}$/) });
export const deviceLookupAnswerSchema = z.object({ register: z.string(), store: z.string() });

export const deviceCheckBodySchema = z.object({ tokenHashes: z.array(z.string().regex(/^[0-9a-f]{64}$/)).max(10_000) });
export const deviceCheckAnswerSchema = z.object({
  accepted: z.array(z.object({ tokenHash: z.string(), register: z.string(), store: z.string() })),
});

export const storeLinkCustomerSchema = z.object({ id: z.string(), accountAllowed: z.boolean() });

/** HQ's high-water mark for a store: the channel replication counter it has every transaction up to. */
export const uploadProgressSchema = z.object({ store: z.string(), counter: z.number().int().nonnegative() });

export const pushedTransactionSchema = z.object({
  replication_counter: z.number().int().positive(),
  id: z.string().min(1).max(100),
  store_id: z.string().min(1).max(64),
  register_id: z.string().min(1).max(64),
  staff_id: z.string().min(1).max(64),
  customer_id: z.string().max(100).nullable(),
  currency: z.string().min(1).max(8),
  total_minor: z.number().int(),
  created_at: z.string().max(40),
  mode: z.string().max(20),
  content_hash: z.string().max(128),
  body: z.string(),
});

/** One P-0001 push: the store's transactions in (from, to], in counter order. */
export const uploadPushBodySchema = z.object({
  from: z.number().int().nonnegative(),
  to: z.number().int().nonnegative(),
  transactions: z.array(pushedTransactionSchema).max(10_000),
});

export const uploadPushAnswerSchema = z.object({
  store: z.string(),
  session: z.number().int(),
  transactions: z.number().int(),
  inserted: z.number().int(),
  counter: z.number().int(),
});
export type UploadPushAnswer = z.infer<typeof uploadPushAnswerSchema>;

/** A store server's admin route: one round with HQ now (`pos server catch-up`). */
export const STORE_CATCH_UP_ROUTE = "/v1/admin/store/catch-up";

/** What one round did for one store: sessions applied, P-0001 pushed, or why it stopped. */
export const storeRoundSchema = z.object({
  store: z.string(),
  applied: z.number().int().nonnegative(),
  stoppedBy: z.string().nullable(),
  pushed: z.number().int().nonnegative(),
  inserted: z.number().int().nonnegative(),
  counter: z.number().int().nullable(),
  error: z.string().nullable(),
});
export type StoreRound = z.infer<typeof storeRoundSchema>;

export const catchUpAnswerSchema = z.object({ stores: z.array(storeRoundSchema) });
export type CatchUpAnswer = z.infer<typeof catchUpAnswerSchema>;
