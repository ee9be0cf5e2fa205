// A store server's routes (--role store): what registers call, served from its channel databases or passed to HQ.
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import { activateBodySchema, ERROR_CODES, type HealthAnswer, ROUTES, staffSignInBodySchema } from "../../lib/api.js";
import { ASYNC_CUSTOMER_ROUTES } from "../../lib/api-customers.js";
import { STORE_CATCH_UP_ROUTE } from "../../lib/api-store.js";
import { SYNC_ROUTES } from "../../lib/api-sync.js";
import type { Clock } from "../../lib/clock.js";
import type { Db } from "../../lib/db.js";
import { ApiError, forbidden, notFound, parseInput } from "../api-error.js";
import { adminOnly, deviceOf, ownRegister } from "../auth.js";
import type { Device } from "../devices.js";
import { registerOwnDataRoutes } from "../routes/own-data.js";
import { registerChannelLookups } from "../routes/register.js";
import { registerTransactionRoutes } from "../routes/transactions.js";
import { createSignInCache } from "../signin-cache.js";
import { signInStaff } from "../staff-signin.js";
import { isoTime } from "../statements.js";
import { bearerToken, hashToken } from "../tokens.js";
import type { StoreRound } from "./catch-up.js";
import type { HqLink } from "./hq-link.js";
import type { StoreLocal } from "./local.js";

export const STORE_ADMIN_ROUTES = {
  /** A round with HQ now: pull channel sessions, push P-0001. */
  catchUp: STORE_CATCH_UP_ROUTE,
} as const;

export interface StoreRouteDeps {
  channels: ReadonlyMap<string, Db>;
  local: StoreLocal;
  hq: HqLink;
  clock: Clock;
  adminToken: string;
  version: string;
  uploadBodyLimit?: number | undefined;
  catchUp(): Promise<StoreRound[]>;
}

const registerParams = z.object({ id: z.string().min(1).max(64) });
const staffParams = z.object({ id: z.string().min(1).max(64) });

/** HQ's answer headers a register reads (packages: size, resume, checksum). */
const PASSED_HEADERS = ["content-type", "content-length", "content-range", "accept-ranges", "etag", "x-sha256"];

export function registerStoreRoutes(app: FastifyInstance, deps: StoreRouteDeps): void {
  const { channels, local } = deps;
  const unauthorized = (message: string) => new ApiError(401, ERROR_CODES.unauthorized, message);
  // Device tokens are checked here, against the hashes kept at activation: HQ may be away.
  const authenticate = async (request: FastifyRequest) => {
    const token = bearerToken(request.headers.authorization);
    if (!token) throw unauthorized("this call needs a device token (Authorization: Bearer <device token>)");
    const hash = hashToken(token);
    const device = local.authenticate(hash) ?? (await learnToken(hash));
    if (!device) {
      throw unauthorized("the device token is not valid (revoked by a newer activation, or never issued)");
    }
    request.device = device;
  };
  // A token this server has not seen (the register was activated at HQ, or through another server): HQ says who
  // it speaks for, and it is kept if the register is one of this server's stores. HQ away: refused for now (401
  // would make the register re-provision; 503 makes it fail over and sell offline until HQ is back).
  const learnToken = async (hash: string): Promise<Device | undefined> => {
    const device = await deps.hq.device(hash);
    if (!device) return undefined;
    if (!channels.has(device.store)) {
      // A register of another store pointed at this server: not a bad token (no re-provisioning), a wrong server.
      throw forbidden(
        `register ${device.register} belongs to store ${device.store}; this store server holds ${[...channels.keys()].join(", ")}: point the register at its own store server (pos register set ${device.register} --server <url>)`,
      );
    }
    local.keepDevice(device, hash, isoTime(deps.clock.now()));
    return device;
  };
  const device = { onRequest: authenticate };
  const admin = { onRequest: adminOnly(deps) };
  const signInCache = createSignInCache({ now: () => deps.clock.now() });
  const channelOf = (d: Device) => {
    const channel = channels.get(d.store);
    if (!channel) throw notFound(`store ${d.store} has no channel database on this server`);
    return channel;
  };

  /** Registers of other stores are refused before HQ changes anything for them (a token would be of no use here). */
  const ownStoreRegister = async (register: string) => {
    const held = [...channels.keys()];
    if ((await deps.hq.registerStore(register, held)) !== undefined) return;
    const store = await deps.hq.registerStore(register, []);
    if (store === undefined) throw notFound(`register ${register} is not defined at HQ`);
    throw forbidden(
      `register ${register} belongs to store ${store}; this store server holds ${held.join(", ")} (provision it against store ${store}'s server)`,
    );
  };

  /** The request as it came, to HQ (the register's own device token: HQ issued it and checks it again). */
  const passToHq = (request: FastifyRequest, reply: FastifyReply) => pass(request, reply, false);
  /** An admin call checked against this server's admin token, made at HQ with the store server's credential. */
  const passAsStore = (request: FastifyRequest, reply: FastifyReply) => pass(request, reply, true);
  const pass = async (request: FastifyRequest, reply: FastifyReply, asStore: boolean) => {
    const header = (name: string) => {
      const value = request.headers[name];
      return Array.isArray(value) ? value[0] : value;
    };
    const answer = await (asStore ? deps.hq.forwardAsStore : deps.hq.forward)({
      method: request.method,
      path: request.url,
      headers: { authorization: header("authorization"), range: header("range"), "if-range": header("if-range") },
      body: request.method === "GET" ? undefined : request.body,
    });
    // HQ no longer knows the token (reactivated elsewhere, or revoked there): it stops working here too.
    if (answer.statusCode === 401 && !asStore) {
      const token = bearerToken(request.headers.authorization);
      if (token) local.forgetToken(hashToken(token));
    }
    reply.code(answer.statusCode ?? 502);
    for (const name of PASSED_HEADERS) {
      const value = answer.headers[name];
      if (value !== undefined) reply.header(name, value);
    }
    return reply.send(answer);
  };

  app.get(
    ROUTES.health,
    async (): Promise<HealthAnswer> => ({ status: "ok", version: deps.version, time: isoTime(deps.clock.now()) }),
  );

  // Activation needs HQ (it issues tokens); the hash is kept here so the token works while HQ is away.
  app.post(ROUTES.activate, admin, async (request, reply) => {
    const body = parseInput(activateBodySchema, request.body, "body");
    await ownStoreRegister(body.register);
    const answer = await deps.hq.activate(body.register);
    local.keepDevice({ register: answer.register, store: answer.store }, hashToken(answer.token), answer.activatedAt);
    return reply.code(201).send(answer);
  });

  registerChannelLookups(app, device, channelOf);

  // Sign-in and its five-failures block are the store's own: staff rows come with job 1060.
  app.post(ROUTES.staffSignIn, device, async (request) => {
    const d = deviceOf(request);
    const body = parseInput(staffSignInBodySchema, request.body, "body");
    return signInStaff(local, channelOf(d), d, body, deps.clock, (plain, stored) =>
      signInCache.verify(body.staff, stored, plain),
    );
  });

  app.post(ROUTES.admin.staffUnblock, admin, async (request) => {
    const { id } = parseInput(staffParams, request.params, "params");
    const logon = await local.staffLogon.clear(id);
    return { staff: id, wasBlocked: Boolean(logon?.blockedAt), failedAttempts: 0 };
  });

  // HQ's business, passed on: customers created online, offline status, offline databases, async customers.
  app.post(ROUTES.customers, device, passToHq);
  app.post(ROUTES.offlineStatus, device, async (request, reply) => {
    ownRegister(request, parseInput(registerParams, request.params, "params").id);
    return passToHq(request, reply);
  });
  app.get(SYNC_ROUTES.sessions, device, passToHq);
  app.get(SYNC_ROUTES.session, device, passToHq);
  app.get(SYNC_ROUTES.package, device, passToHq);
  app.post(SYNC_ROUTES.status, device, passToHq);
  app.post(ASYNC_CUSTOMER_ROUTES.device, device, passToHq);
  app.get(ASYNC_CUSTOMER_ROUTES.device, device, passToHq);

  // What `pos register provision` asks of its server besides activation: HQ's register settings and, with --sync,
  // a distribution run for the new offline database.
  app.patch(ROUTES.admin.register, admin, async (request, reply) => {
    await ownStoreRegister(parseInput(registerParams, request.params, "params").id);
    return passAsStore(request, reply);
  });
  app.post(SYNC_ROUTES.admin.run, admin, passAsStore);

  // The register's own data (journal, returns' sources, suspended carts) lives in the channel database.
  registerOwnDataRoutes(app, { channels, clock: deps.clock, authenticate });
  registerTransactionRoutes(app, {
    channels,
    clock: deps.clock,
    uploadBodyLimit: deps.uploadBodyLimit,
    authenticate,
    findHqCustomer: (id) => deps.hq.customer(id),
  });

  app.post(STORE_ADMIN_ROUTES.catchUp, admin, async () => ({ stores: await deps.catchUp() }));
}
