// HQ's routes for store servers (--role store): their store's record, a customer, and P-0001 pushed over HTTP.
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import {
  deviceCheckBodySchema,
  deviceLookupBodySchema,
  STORE_LINK_ROUTES,
  type UploadPushAnswer,
  uploadPushBodySchema,
} from "../../lib/api-store.js";
import { ApiError, notFound, parseInput, validationFailed } from "../api-error.js";
import { type AppDeps, DEFAULT_UPLOAD_BODY_LIMIT } from "../app-deps.js";
import { adminOnly } from "../auth.js";
import { isoTime } from "../statements.js";

const storeParams = z.object({ store: z.string().min(1).max(64) });
const idParams = z.object({ id: z.string().min(1).max(100) });

export interface PushCheck {
  /** The high-water mark HQ keeps after this push (never moves back). */
  to: number;
}

/**
 * The rules of one push: it starts at or before HQ's mark (a gap would lose transactions: 409 names the mark to
 * send from), every transaction is the store's and inside (from, to]. A push entirely behind the mark is
 * harmless: its transactions are at HQ already and are skipped by id.
 */
export function checkPush(
  store: string,
  progress: number,
  body: { from: number; to: number; transactions: readonly { replication_counter: number; store_id: string }[] },
): PushCheck {
  if (body.to < body.from) throw validationFailed(`body.to: ${body.to} is before body.from ${body.from}`);
  if (body.from > progress) {
    throw new ApiError(
      409,
      "UploadGap",
      `HQ has store ${store}'s transactions up to counter ${progress}; push from ${progress}, not ${body.from}`,
    );
  }
  for (const [i, t] of body.transactions.entries()) {
    if (t.store_id !== store) {
      throw validationFailed(`body.transactions[${i}].store_id: ${t.store_id} is not store ${store}`);
    }
    if (t.replication_counter <= body.from || t.replication_counter > body.to) {
      throw validationFailed(
        `body.transactions[${i}].replication_counter: ${t.replication_counter} is outside (${body.from}, ${body.to}]`,
      );
    }
  }
  // The mark moves only as far as the transactions sent: a `to` past them would make HQ skip the ones between.
  const last = body.transactions.reduce((top, t) => Math.max(top, t.replication_counter), body.from);
  if (body.to !== last) {
    throw validationFailed(`body.to: ${body.to} is not the last transaction's counter (${last})`);
  }
  return { to: Math.max(progress, body.to) };
}

export function registerStoreLinkRoutes(app: FastifyInstance, deps: AppDeps): void {
  const { hq } = deps.data;
  const admin = { onRequest: adminOnly(deps) };
  const knownStore = async (store: string) => {
    const row = await hq.masterData.find("stores", { id: store });
    if (!row) throw notFound(`store ${store} is not defined at HQ`);
    return row;
  };

  app.get(STORE_LINK_ROUTES.store, admin, async (request) => {
    const { store } = parseInput(storeParams, request.params, "params");
    const row = await knownStore(store);
    return { store, currency: String(row.currency) };
  });

  app.get(STORE_LINK_ROUTES.customer, admin, async (request) => {
    const { id } = parseInput(idParams, request.params, "params");
    const row = await hq.masterData.find("customers", { id });
    if (!row) throw notFound(`customer ${id} is not defined at HQ`);
    return { id, accountAllowed: row.account_allowed === 1 };
  });

  app.post(STORE_LINK_ROUTES.device, admin, async (request) => {
    const { tokenHash } = parseInput(deviceLookupBodySchema, request.body, "body");
    const device = await hq.devices.authenticate(tokenHash);
    if (!device) throw notFound("no device has this token at HQ (revoked by a newer activation, or never issued)");
    return device;
  });

  app.post(STORE_LINK_ROUTES.devices, admin, async (request) => {
    const { tokenHashes } = parseInput(deviceCheckBodySchema, request.body, "body");
    const accepted: { tokenHash: string; register: string; store: string }[] = [];
    for (const tokenHash of tokenHashes) {
      const device = await hq.devices.authenticate(tokenHash);
      if (device) accepted.push({ tokenHash, ...device });
    }
    return { accepted };
  });

  app.get(STORE_LINK_ROUTES.uploads, admin, async (request) => {
    const { store } = parseInput(storeParams, request.params, "params");
    await knownStore(store);
    return { store, counter: await hq.uploads.progress(store) };
  });

  app.post(
    STORE_LINK_ROUTES.uploads,
    { ...admin, bodyLimit: deps.uploadBodyLimit ?? DEFAULT_UPLOAD_BODY_LIMIT },
    async (request): Promise<UploadPushAnswer> => {
      const { store } = parseInput(storeParams, request.params, "params");
      const body = parseInput(uploadPushBodySchema, request.body, "body");
      await knownStore(store);
      if (deps.data.channels.has(store)) {
        throw new ApiError(
          409,
          "StoreHeldByHq",
          `this server holds store ${store}'s channel database itself (--role all): a store server for ${store} must talk to an HQ started with --role hq`,
        );
      }
      const { to } = checkPush(store, await hq.uploads.progress(store), body);
      const now = () => isoTime(deps.clock.now());
      const session = await hq.uploads.begin({
        store,
        from: body.from,
        to,
        transactions: body.transactions.length,
        at: now(),
      });
      try {
        const inserted = await hq.uploads.apply(session, store, to, body.transactions, now());
        return { store, session, transactions: body.transactions.length, inserted, counter: to };
      } catch (error) {
        await hq.uploads.fail(session, (error as Error).message);
        throw error;
      }
    },
  );
}
