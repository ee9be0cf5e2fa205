// `pos server start --role`: which part of the chain this process is, checked before anything is opened.
import { readFileSync } from "node:fs";
import { UsageError } from "../lib/errors.js";

export const ROLES = ["all", "hq", "store"] as const;
export type Role = (typeof ROLES)[number];

export interface RoleInput {
  role?: string | undefined;
  stores?: string | undefined;
  hq?: string | undefined;
  hqTokenFile?: string | undefined;
  hqInterval?: string | undefined;
  database?: string | undefined;
  schedule?: string | undefined;
  tryCount?: string | undefined;
  fixtures?: string | undefined;
}

export type RolePlan =
  | { role: "all" | "hq" }
  | {
      role: "store";
      stores: string[];
      hqUrl: string;
      /** Where the token comes from: a file, or POS_HQ_TOKEN. */
      token: { file: string } | { env: string };
      intervalSec: number;
    };

const STORE_ID = /^[A-Za-z0-9_-]{1,64}$/;

/** Store-only options given to another role are mistakes worth one line, not silently ignored. */
export function planRole(input: RoleInput, env: { POS_HQ_TOKEN?: string | undefined }): RolePlan {
  const role = input.role ?? "all";
  if (!(ROLES as readonly string[]).includes(role)) {
    throw new UsageError(`--role: expected ${ROLES.join(", ")}, got "${role}"`);
  }
  if (role !== "store") {
    for (const [flag, value] of [
      ["--stores", input.stores],
      ["--hq", input.hq],
      ["--hq-token-file", input.hqTokenFile],
      ["--hq-interval", input.hqInterval],
    ] as const) {
      if (value !== undefined) throw new UsageError(`${flag}: only for --role store (this is --role ${role})`);
    }
    return { role: role as "all" | "hq" };
  }
  if (input.database !== undefined) {
    throw new UsageError("--database: a store server keeps its channel databases in SQLite; HQ's database is HQ's");
  }
  for (const [flag, value] of [
    ["--schedule", input.schedule],
    ["--try-count", input.tryCount],
    ["--fixtures", input.fixtures],
  ] as const) {
    if (value !== undefined) throw new UsageError(`${flag}: HQ's setting; give it to the --role hq server`);
  }
  if (input.stores === undefined) throw new UsageError("--role store needs --stores SEA01[,TYO01]");
  const stores = [...new Set(input.stores.split(",").map((s) => s.trim()))];
  for (const store of stores) {
    if (!STORE_ID.test(store))
      throw new UsageError(`--stores: "${store}" is not a store id (letters, digits, - and _)`);
  }
  if (input.hq === undefined) throw new UsageError("--role store needs --hq <HQ's URL>, e.g. --hq http://hq:7100");
  let url: URL;
  try {
    url = new URL(input.hq);
  } catch {
    throw new UsageError(`--hq: "${input.hq}" is not a URL (e.g. http://hq.example.com:7100)`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new UsageError(`--hq: expected an http:// or https:// URL, got "${input.hq}"`);
  }
  const token =
    input.hqTokenFile !== undefined
      ? { file: input.hqTokenFile }
      : env.POS_HQ_TOKEN
        ? { env: "POS_HQ_TOKEN" }
        : undefined;
  if (!token) {
    throw new UsageError(
      "--role store needs HQ's admin token: --hq-token-file <hq home>/server/admin-token, or env POS_HQ_TOKEN",
    );
  }
  const intervalText = input.hqInterval ?? "10";
  const intervalSec = Number(intervalText);
  if (!/^\d+(\.\d+)?$/.test(intervalText) || intervalSec > 86_400) {
    throw new UsageError(`--hq-interval: expected seconds 0–86400, got "${intervalText}"`);
  }
  return { role: "store", stores, hqUrl: input.hq.replace(/\/+$/, ""), token, intervalSec };
}

/** The token a store server presents to HQ. */
export function readHqToken(
  token: { file: string } | { env: string },
  env: { POS_HQ_TOKEN?: string | undefined },
): string {
  if ("env" in token) return (env.POS_HQ_TOKEN ?? "").trim();
  let text: string;
  try {
    text = readFileSync(token.file, "utf8").trim();
  } catch (error) {
    throw new UsageError(`--hq-token-file: cannot read ${token.file} (${(error as NodeJS.ErrnoException).code})`);
  }
  if (text.length === 0) throw new UsageError(`--hq-token-file: ${token.file} is empty`);
  return text;
}
