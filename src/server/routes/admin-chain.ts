// Admin routes that grow a chain at runtime: add a store (with its channel database) and add a register.
import type { FastifyInstance } from "fastify";
import {
  CHAIN_ROUTES,
  chainListQuerySchema,
  type RegisterAddAnswer,
  registerAddBodySchema,
  type StoreAddAnswer,
  storeAddBodySchema,
} from "../../lib/api-chain.js";
import { parseInput } from "../api-error.js";
import type { AppDeps } from "../app-deps.js";
import { adminOnly } from "../auth.js";
import { offlineDatabaseName } from "../cdx/databases.js";
import { addRegister, addStore, listRegisters, listStaff } from "../hq-chain.js";
import { isoTime } from "../statements.js";

export function registerAdminChainRoutes(app: FastifyInstance, deps: AppDeps): void {
  const { hq, cdx } = deps.data;
  const admin = { onRequest: adminOnly(deps) };

  const storesOf = (query: unknown) => parseInput(chainListQuerySchema, query, "query").store?.split(",");
  app.get(CHAIN_ROUTES.registers, admin, async (request) => listRegisters(hq, storesOf(request.query)));
  app.get(CHAIN_ROUTES.staff, admin, async (request) => listStaff(hq, storesOf(request.query)));

  app.post(CHAIN_ROUTES.stores, admin, async (request, reply) => {
    const body = parseInput(storeAddBodySchema, request.body, "body");
    const added = await addStore(hq, body);
    // The store's channel database exists from now on and gets its first full packages at once, so its
    // registers can be activated without waiting for a distribution run.
    deps.data.openChannel(body.id);
    const distributed = await cdx.distributeNew();
    const answer: StoreAddAnswer = {
      store: added.store,
      changeVersion: added.changeVersion,
      copied: added.copied,
      database: body.id,
      sessions: distributed.sessions.filter((s) => s.database === body.id).length,
    };
    return reply.code(201).send(answer);
  });

  app.post(CHAIN_ROUTES.registers, admin, async (request, reply) => {
    const body = parseInput(registerAddBodySchema, request.body, "body");
    const added = await addRegister(hq, body);
    const change = await hq.distribution.reconcileRegisterDatabase(body.id, isoTime(deps.clock.now()));
    // Job 1090 brings the register into its store's channel database: provisioning can follow at once.
    await cdx.run({ job: "1090", database: body.store });
    const answer: RegisterAddAnswer = {
      ...added,
      offlineDatabase: change === "created" || change === "re-added" ? offlineDatabaseName(body.id) : null,
    };
    return reply.code(201).send(answer);
  });
}
