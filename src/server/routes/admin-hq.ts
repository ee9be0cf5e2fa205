// Admin routes that edit HQ master data (pos hq): prices, products, customers, staff, offline profiles, registers.
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import {
  customerAddBodySchema,
  priceSetBodySchema,
  productAddBodySchema,
  productSetBodySchema,
  profileSetBodySchema,
  ROUTES,
  registerSetBodySchema,
  staffAddBodySchema,
} from "../../lib/api.js";
import { STORE_SETTINGS_ROUTE, storeSettingsBodySchema } from "../../lib/api-store-settings.js";
import { parseInput } from "../api-error.js";
import type { AppDeps } from "../app-deps.js";
import { adminOnly } from "../auth.js";
import { addCustomer, addStaff, setProfile, setRegister } from "../hq-admin.js";
import { addProduct, deleteProduct, productDetail, setPrice, setProduct } from "../hq-products.js";
import { setStoreSettings } from "../hq-store-settings.js";
import { unblockStaff } from "../staff-signin.js";
import { isoTime } from "../statements.js";

const idParams = z.object({ id: z.string().min(1).max(64) });
const priceParams = z.object({ store: z.string().min(1).max(64), product: z.string().min(1).max(64) });

export function registerAdminHqRoutes(app: FastifyInstance, deps: AppDeps): void {
  const { hq } = deps.data;
  const admin = { onRequest: adminOnly(deps) };
  const id = (params: unknown) => parseInput(idParams, params, "params").id;

  app.get(ROUTES.admin.changeVersion, admin, async () => ({ changeVersion: await hq.masterData.currentVersion() }));

  app.put(ROUTES.admin.price, admin, async (request) => {
    const { store, product } = parseInput(priceParams, request.params, "params");
    const { amount } = parseInput(priceSetBodySchema, request.body, "body");
    return setPrice(hq, product, store, amount);
  });

  app.post(ROUTES.admin.products, admin, async (request, reply) => {
    const body = parseInput(productAddBodySchema, request.body, "body");
    return reply.code(201).send(await addProduct(hq, body));
  });
  app.get(ROUTES.admin.product, admin, async (request) => productDetail(hq, id(request.params)));
  app.patch(ROUTES.admin.product, admin, async (request) => {
    const productId = id(request.params);
    return setProduct(hq, productId, parseInput(productSetBodySchema, request.body, "body"));
  });
  app.delete(ROUTES.admin.product, admin, async (request) => deleteProduct(hq, id(request.params)));

  app.post(ROUTES.admin.customers, admin, async (request, reply) => {
    const body = parseInput(customerAddBodySchema, request.body, "body");
    return reply.code(201).send(await addCustomer(hq, body));
  });

  app.post(ROUTES.admin.staff, admin, async (request, reply) => {
    const body = parseInput(staffAddBodySchema, request.body, "body");
    return reply.code(201).send(await addStaff(hq, body));
  });
  app.post(ROUTES.admin.staffUnblock, admin, async (request) => unblockStaff(hq, id(request.params)));

  app.patch(ROUTES.admin.profile, admin, async (request) => {
    const profileId = id(request.params);
    return setProfile(hq, profileId, parseInput(profileSetBodySchema, request.body, "body"));
  });
  app.patch(STORE_SETTINGS_ROUTE, admin, async (request) =>
    setStoreSettings(hq, id(request.params), parseInput(storeSettingsBodySchema, request.body, "body")),
  );
  app.patch(ROUTES.admin.register, admin, async (request) => {
    const registerId = id(request.params);
    const answer = await setRegister(hq, registerId, parseInput(registerSetBodySchema, request.body, "body"));
    // Supports offline creates (or removes) the register's offline database in its store's channel data group.
    await hq.distribution.reconcileRegisterDatabase(registerId, isoTime(deps.clock.now()));
    return answer;
  });
}
