// register.json: what provisioning wrote about one register (validated on every read; secrets kept at mode 0600).
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { z } from "zod";
import { formatPath, UsageError } from "../lib/errors.js";
import type { Paths } from "../lib/paths.js";

export const registerConfigSchema = z.object({
  format: z.literal("pos-register/1"),
  registerId: z.string().regex(/^[A-Za-z0-9]+-[A-Za-z0-9]+$/, "expected <store>-<register>, e.g. SEA01-R1"),
  store: z.string().min(1),
  serverUrl: z.url(),
  deviceToken: z.string().min(16),
  supportsOffline: z.boolean(),
  /** The register's offline database entity at HQ (`<id>-OFFLINE`), null for an online-only register. */
  database: z.string().nullable(),
  provisionedAt: z.string(),
});
export type RegisterConfig = z.infer<typeof registerConfigSchema>;

export function readRegisterConfig(paths: Paths, registerId: string): RegisterConfig {
  const file = paths.registerConfig(registerId);
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") {
      throw new UsageError(
        `register ${registerId} is not provisioned under ${paths.home}`,
        "RegisterNotProvisioned",
        `run pos register provision ${registerId} --server <url>`,
      );
    }
    throw new UsageError(
      `${file}: cannot be read (${code === "EISDIR" ? "a folder stands where the file should be" : (code ?? (error as Error).message)})`,
      "BadRegisterFile",
      `restore the file, or provision again with pos register provision ${registerId} --server <url>`,
    );
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${file}: not valid JSON (${(error as Error).message})`, "BadRegisterFile");
  }
  const parsed = registerConfigSchema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new UsageError(
      `${file}: field ${formatPath(issue?.path ?? [])}: ${issue?.message ?? "invalid"}`,
      "BadRegisterFile",
      `fix the field or provision again with pos register provision ${registerId}`,
    );
  }
  // The folder names the register: a file that says otherwise would sell (and number) as another register.
  const config = parsed.data;
  const mismatch =
    config.registerId !== registerId
      ? `field registerId: "${config.registerId}" does not match its folder registers/${registerId}/`
      : config.store !== registerId.slice(0, registerId.indexOf("-"))
        ? `field store: "${config.store}" is not the store of register ${registerId}`
        : config.database !== null && config.database !== `${registerId}-OFFLINE`
          ? `field database: "${config.database}" is not ${registerId}-OFFLINE`
          : null;
  if (mismatch) {
    throw new UsageError(
      `${file}: ${mismatch}`,
      "BadRegisterFile",
      `restore the file, or provision again with pos register provision ${registerId} --server <url>`,
    );
  }
  return config;
}

/** Written atomically with mode 0600: the file holds the device token. */
export function writeRegisterConfig(paths: Paths, config: RegisterConfig): void {
  const file = paths.registerConfig(config.registerId);
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, file);
}

export function listRegisterIds(paths: Paths): string[] {
  if (!existsSync(paths.registersDir)) return [];
  return readdirSync(paths.registersDir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(paths.registerConfig(d.name)))
    .map((d) => d.name)
    .sort();
}

/** `--register`, else env POS_REGISTER, else the only provisioned register. */
export function resolveRegisterId(paths: Paths, option: string | undefined, env: NodeJS.ProcessEnv): string {
  const chosen = option ?? env.POS_REGISTER;
  if (chosen) return chosen;
  const ids = listRegisterIds(paths);
  if (ids.length === 1 && ids[0]) return ids[0];
  if (ids.length === 0) {
    throw new UsageError(
      `no register is provisioned under ${paths.home}`,
      "RegisterNotProvisioned",
      "run pos register provision <id> --server <url>",
    );
  }
  throw new UsageError(
    `several registers are provisioned (${ids.join(", ")}): name one with --register`,
    "RegisterAmbiguous",
  );
}
