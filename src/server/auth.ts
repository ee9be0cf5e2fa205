// Bearer-token checks for routes: the admin token for /v1/admin, a device token (own register only) elsewhere.
import type { FastifyReply, FastifyRequest, onRequestAsyncHookHandler } from "fastify";
import { ERROR_CODES } from "../lib/api.js";
import { ApiError, forbidden } from "./api-error.js";
import type { AppDeps } from "./app-deps.js";
import { authenticateDevice, type Device } from "./devices.js";
import { bearerToken, tokenMatches } from "./tokens.js";

declare module "fastify" {
  interface FastifyRequest {
    /** The register a device token speaks for; set by the device hook. */
    device: Device | null;
  }
}

const unauthorized = (message: string) => new ApiError(401, ERROR_CODES.unauthorized, message);

// onRequest hooks run before the body is read, so an unauthenticated client cannot make the server parse a body.
export function adminOnly(deps: Pick<AppDeps, "adminToken">): onRequestAsyncHookHandler {
  return async (request: FastifyRequest, _reply: FastifyReply) => {
    const token = bearerToken(request.headers.authorization);
    if (!token) throw unauthorized("this call needs the admin token (Authorization: Bearer <admin token>)");
    if (!tokenMatches(token, deps.adminToken)) throw unauthorized("the admin token is not valid");
  };
}

export function deviceOnly(deps: AppDeps): onRequestAsyncHookHandler {
  return async (request: FastifyRequest, _reply: FastifyReply) => {
    await authenticateDeviceRequest(deps, request);
  };
}

/** The admin token, or a device token (then `request.device` is set and the route limits it to its own data). */
export function adminOrDevice(deps: AppDeps): onRequestAsyncHookHandler {
  return async (request: FastifyRequest, _reply: FastifyReply) => {
    const token = bearerToken(request.headers.authorization);
    if (token && tokenMatches(token, deps.adminToken)) return;
    await authenticateDeviceRequest(deps, request);
  };
}

async function authenticateDeviceRequest(deps: AppDeps, request: FastifyRequest): Promise<void> {
  const token = bearerToken(request.headers.authorization);
  if (!token) throw unauthorized("this call needs a device token (Authorization: Bearer <device token>)");
  const device = await authenticateDevice(deps.data.hq, token);
  if (!device) throw unauthorized("the device token is not valid (revoked by a newer activation, or never issued)");
  request.device = device;
}

/** The authenticated device (the route declared `deviceOnly`). */
export function deviceOf(request: FastifyRequest): Device {
  if (!request.device) throw unauthorized("this call needs a device token");
  return request.device;
}

/** The device, refusing a register other than its own (403). */
export function ownRegister(request: FastifyRequest, register: string): Device {
  const device = deviceOf(request);
  if (device.register !== register) {
    throw forbidden(`the device token of register ${device.register} is not valid for register ${register}`);
  }
  return device;
}
