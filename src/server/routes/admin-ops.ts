// Admin routes that look at what the retail server received: transactions, conflicts, register offline status.
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { adminTransactionsQuerySchema, ROUTES } from "../../lib/api.js";
import { notFound, parseInput } from "../api-error.js";
import type { AppDeps } from "../app-deps.js";
import { adminOnly } from "../auth.js";
import { getTransaction, listConflicts, listTransactions } from "../channel-views.js";
import { listOfflineStatus } from "../devices.js";

export function registerAdminOpsRoutes(app: FastifyInstance, deps: AppDeps): void {
  const { hq, channels } = deps.data;
  const admin = { onRequest: adminOnly(deps) };

  app.get(ROUTES.admin.conflicts, admin, async () => listConflicts(channels));

  app.get(ROUTES.admin.transactions, admin, async (request) => {
    const { store, limit } = parseInput(adminTransactionsQuerySchema, request.query, "query");
    const channel = channels.get(store);
    if (!channel) throw notFound(`no store ${store} on this server`);
    return listTransactions(channel, store, limit);
  });

  app.get(ROUTES.admin.transaction, admin, async (request) => {
    const { id } = parseInput(z.object({ id: z.string().min(1).max(100) }), request.params, "params");
    return getTransaction(channels, id);
  });

  app.get(ROUTES.admin.offlineStatus, admin, async () => ({ registers: listOfflineStatus(hq) }));
}
