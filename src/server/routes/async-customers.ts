// Routes of operation 612 offline: registers upload customers created offline; HQ's job turns them into customers.
import type { FastifyInstance } from "fastify";
import { ASYNC_CUSTOMER_ROUTES, asyncCustomerUploadBodySchema } from "../../lib/api-customers.js";
import { parseInput } from "../api-error.js";
import type { AppDeps } from "../app-deps.js";
import { listAsyncCustomers, receiveAsyncCustomers, syncAsyncCustomers } from "../async-customers.js";
import { adminOnly, deviceOf, deviceOnly } from "../auth.js";
import { isoTime } from "../statements.js";

export function registerAsyncCustomerRoutes(app: FastifyInstance, deps: AppDeps): void {
  const { hq } = deps.data;
  const device = { onRequest: deviceOnly(deps) };
  const admin = { onRequest: adminOnly(deps) };

  app.post(ASYNC_CUSTOMER_ROUTES.device, device, async (request) => {
    const body = parseInput(asyncCustomerUploadBodySchema, request.body, "body");
    const d = deviceOf(request);
    return {
      customers: await receiveAsyncCustomers(hq, d, body.customers, isoTime(deps.clock.now())),
    };
  });

  app.get(ASYNC_CUSTOMER_ROUTES.device, device, async (request) => ({
    customers: await listAsyncCustomers(hq, deviceOf(request).register),
  }));

  app.get(ASYNC_CUSTOMER_ROUTES.admin, admin, async () => ({ customers: await listAsyncCustomers(hq) }));

  app.post(ASYNC_CUSTOMER_ROUTES.sync, admin, async () => syncAsyncCustomers(hq, isoTime(deps.clock.now())));
}
