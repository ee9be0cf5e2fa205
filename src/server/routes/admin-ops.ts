// Admin routes that look at what the retail server received: transactions, conflicts, register offline status.
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { ROUTES } from "../../lib/api.js";
import { transactionPageQuerySchema } from "../../lib/api-chain.js";
import { parseInput } from "../api-error.js";
import type { AppDeps } from "../app-deps.js";
import { adminOnly } from "../auth.js";
import { getTransaction, listConflicts } from "../channel-views.js";
import { listOfflineStatus } from "../devices.js";
import { transactionPage } from "../transaction-pages.js";

export function registerAdminOpsRoutes(app: FastifyInstance, deps: AppDeps): void {
  const { hq, channels } = deps.data;
  const admin = { onRequest: adminOnly(deps) };

  app.get(ROUTES.admin.conflicts, admin, async () => listConflicts(channels));

  app.get(ROUTES.admin.transactions, admin, async (request) =>
    transactionPage(channels, parseInput(transactionPageQuerySchema, request.query, "query")),
  );

  app.get(ROUTES.admin.transaction, admin, async (request) => {
    const { id } = parseInput(z.object({ id: z.string().min(1).max(100) }), request.params, "params");
    return getTransaction(channels, id);
  });

  app.get(ROUTES.admin.offlineStatus, admin, async () => ({ registers: await listOfflineStatus(hq) }));
}
