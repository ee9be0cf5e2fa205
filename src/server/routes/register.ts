// Register-facing routes: health, device activation, configuration, products, customers, sign-in, offline status.
import type { FastifyInstance, onRequestHookHandler } from "fastify";
import { z } from "zod";
import {
  activateBodySchema,
  createCustomerBodySchema,
  customersQuerySchema,
  type HealthAnswer,
  offlineStatusBodySchema,
  productQuerySchema,
  ROUTES,
  staffSignInBodySchema,
} from "../../lib/api.js";
import type { Db } from "../../lib/db.js";
import { forbidden, notFound, parseInput } from "../api-error.js";
import type { AppDeps } from "../app-deps.js";
import { adminOnly, deviceOf, deviceOnly, ownRegister } from "../auth.js";
import { lookupProduct, registerConfig, searchCustomers } from "../catalog.js";
import { activateDevice, type Device, recordOfflineStatus } from "../devices.js";
import { createCustomerOnline } from "../hq-admin.js";
import { createSignInCache } from "../signin-cache.js";
import { signInStaff } from "../staff-signin.js";
import { isoTime } from "../statements.js";

const registerParams = z.object({ id: z.string().min(1).max(64) });
const productParams = z.object({ idOrBarcode: z.string().min(1).max(64) });

export function registerRegisterRoutes(app: FastifyInstance, deps: AppDeps): void {
  const { hq, channels } = deps.data;
  const device = { onRequest: deviceOnly(deps) };
  const signInCache = createSignInCache({ now: () => deps.clock.now() });
  const channelOf = (d: Device) => {
    const channel = channels.get(d.store);
    if (!channel) throw notFound(`store ${d.store} has no channel database on this server`);
    return channel;
  };

  app.get(
    ROUTES.health,
    async (): Promise<HealthAnswer> => ({
      status: "ok",
      version: deps.version,
      time: isoTime(deps.clock.now()),
    }),
  );

  app.post(ROUTES.activate, { onRequest: adminOnly(deps) }, async (request, reply) => {
    const body = parseInput(activateBodySchema, request.body, "body");
    return reply.code(201).send(await activateDevice(hq, body.register, deps.clock));
  });

  registerChannelLookups(app, device, channelOf);

  app.post(ROUTES.customers, device, async (request, reply) => {
    deviceOf(request);
    const body = parseInput(createCustomerBodySchema, request.body, "body");
    return reply.code(201).send(await createCustomerOnline(hq, body));
  });

  app.post(ROUTES.staffSignIn, device, async (request) => {
    const d = deviceOf(request);
    const body = parseInput(staffSignInBodySchema, request.body, "body");
    return signInStaff(hq, channelOf(d), d, body, deps.clock, (plain, stored) =>
      signInCache.verify(body.staff, stored, plain),
    );
  });

  app.post(ROUTES.offlineStatus, device, async (request) => {
    const { id } = parseInput(registerParams, request.params, "params");
    const d = ownRegister(request, id);
    const body = parseInput(offlineStatusBodySchema, request.body, "body");
    return recordOfflineStatus(hq, d, body, deps.clock);
  });
}

/**
 * What a register reads from its store's channel database — its configuration, products, customer search — the
 * same on an all-in-one server and a store server (each brings its device check and its channel databases).
 */
export function registerChannelLookups(
  app: FastifyInstance,
  device: { onRequest: onRequestHookHandler },
  channelOf: (d: Device) => Db,
): void {
  app.get(ROUTES.registerConfig, device, async (request) => {
    const { id } = parseInput(registerParams, request.params, "params");
    return registerConfig(channelOf(ownRegister(request, id)), id);
  });

  app.get(ROUTES.product, device, async (request) => {
    const { idOrBarcode } = parseInput(productParams, request.params, "params");
    const { store } = parseInput(productQuerySchema, request.query, "query");
    const d = deviceOf(request);
    if (store !== undefined && store !== d.store) {
      throw forbidden(`the device token of register ${d.register} is valid for store ${d.store}, not ${store}`);
    }
    return lookupProduct(channelOf(d), d.store, idOrBarcode);
  });

  app.get(ROUTES.customers, device, async (request) => {
    const { query, limit } = parseInput(customersQuerySchema, request.query, "query");
    return { customers: searchCustomers(channelOf(deviceOf(request)), query, limit) };
  });
}
