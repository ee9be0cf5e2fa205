// Register routes for its own data: the journal, a sale to return, suspend and recall of carts (D365 "own data").
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { OWN_DATA_ROUTES, suspendBodySchema } from "../../lib/api-own-data.js";
import { type Db, prepared } from "../../lib/db.js";
import { notFound, parseInput } from "../api-error.js";
import type { AppDeps } from "../app-deps.js";
import { deviceOf, deviceOnly, ownRegister } from "../auth.js";
import { channelJournal, recallCart, returnSource, suspendCart, suspendedCarts } from "../channel-own-data.js";
import type { Device } from "../devices.js";
import { isoTime } from "../statements.js";

const idParams = z.object({ id: z.string().min(1).max(64) });
const journalQuery = z.object({ limit: z.coerce.number().int().min(1).max(1000).default(20) });

export function registerOwnDataRoutes(app: FastifyInstance, deps: AppDeps): void {
  const device = { onRequest: deviceOnly(deps) };
  const channelOf = (d: Device): Db => {
    const channel = deps.data.channels.get(d.store);
    if (!channel) throw notFound(`store ${d.store} has no channel database on this server`);
    return channel;
  };

  app.get(OWN_DATA_ROUTES.journal, device, async (request) => {
    const { id } = parseInput(idParams, request.params, "params");
    const d = ownRegister(request, id);
    const { limit } = parseInput(journalQuery, request.query, "query");
    const channel = channelOf(d);
    const decimals =
      prepared<unknown[], { decimals: number }>(channel, "SELECT decimals FROM stores WHERE id = ?").get(d.store)
        ?.decimals ?? 2;
    return { register: d.register, transactions: channelJournal(channel, d.register, decimals, limit) };
  });

  app.get(OWN_DATA_ROUTES.transaction, device, async (request) => {
    const { id } = parseInput(idParams, request.params, "params");
    const d = deviceOf(request);
    return returnSource(channelOf(d), d.store, id);
  });

  app.post(OWN_DATA_ROUTES.carts, device, async (request, reply) => {
    const { cart } = parseInput(suspendBodySchema, request.body, "body");
    const d = deviceOf(request);
    const status = suspendCart(channelOf(d), d.store, d.register, cart);
    return reply.code(status === "suspended" ? 201 : 200).send({ id: cart.id, status });
  });

  app.get(OWN_DATA_ROUTES.carts, device, async (request) => {
    const d = deviceOf(request);
    return { carts: suspendedCarts(channelOf(d), d.store) };
  });

  app.post(OWN_DATA_ROUTES.recall, device, async (request) => {
    const { id } = parseInput(idParams, request.params, "params");
    const d = deviceOf(request);
    return { cart: recallCart(channelOf(d), d.store, id, d.register, isoTime(deps.clock.now())) };
  });
}
