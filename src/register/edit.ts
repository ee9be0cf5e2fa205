// `pos register set`: the safe edits of register.json (today the server URL), each reported as from → to.
import { UsageError } from "../lib/errors.js";
import type { Paths } from "../lib/paths.js";
import { readRegisterConfig, writeRegisterConfig } from "./config.js";

export interface RegisterEdits {
  serverUrl?: string | undefined;
}

export interface RegisterEditResult {
  register: string;
  changes: Array<{ field: string; from: string; to: string }>;
}

export function editRegister(paths: Paths, registerId: string, edits: RegisterEdits): RegisterEditResult {
  if (edits.serverUrl === undefined) {
    throw new UsageError("nothing to set: name a field", "BadInput", `pos register set ${registerId} --server <url>`);
  }
  const url = edits.serverUrl.replace(/\/+$/, "");
  if (!/^https?:\/\/[^\s/]+$/.test(url) || !URL.canParse(url)) {
    throw new UsageError(
      `--server: expected a URL like http://127.0.0.1:7100, got "${edits.serverUrl}"`,
      "BadInput",
      `pos register set ${registerId} --server http://<host>:<port>`,
    );
  }
  const config = readRegisterConfig(paths, registerId);
  const changes: RegisterEditResult["changes"] = [];
  if (config.serverUrl !== url) changes.push({ field: "serverUrl", from: config.serverUrl, to: url });
  if (changes.length > 0) writeRegisterConfig(paths, { ...config, serverUrl: url });
  return { register: registerId, changes };
}
