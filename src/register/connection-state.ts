// The register's connection state, persisted in its home so `pos status`, `pos connect` and a running sale agree.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { z } from "zod";
import { UsageError } from "../lib/errors.js";
import type { ConnectionMode } from "./failover.js";

export const connectionStateSchema = z.object({
  mode: z.enum(["online", "offline-auto", "offline-manual"]),
  since: z.number(),
  lastReconnectAttempt: z.number().nullable(),
  healthyAt: z.number().nullable(),
  reason: z.string().nullable(),
});
export type ConnectionState = z.infer<typeof connectionStateSchema>;

export interface ConnectionStateStore {
  read(): ConnectionState;
  write(state: ConnectionState): void;
}

export function initialConnectionState(now: number, mode: ConnectionMode = "online"): ConnectionState {
  return { mode, since: now, lastReconnectAttempt: null, healthyAt: null, reason: null };
}

/** A JSON file replaced atomically (write + rename), so a reader never sees half a state. */
export function createFileStateStore(file: string, now: () => number): ConnectionStateStore {
  return {
    read() {
      let text: string;
      try {
        text = readFileSync(file, "utf8");
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === "ENOENT") return initialConnectionState(now());
        throw new UsageError(
          `${file}: cannot be read (${code === "EISDIR" ? "a folder stands where the file should be" : (code ?? (error as Error).message)})`,
          "BadStateFile",
          "remove what stands in its place: the register then starts online",
        );
      }
      let data: unknown;
      try {
        data = JSON.parse(text);
      } catch {
        throw new UsageError(
          `${file}: not valid JSON`,
          "BadStateFile",
          "delete the file: the register then starts online",
        );
      }
      const parsed = connectionStateSchema.safeParse(data);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        throw new UsageError(
          `${file}: field ${issue?.path.join(".") || "(root)"}: ${issue?.message ?? "invalid"}`,
          "BadStateFile",
          "delete the file to start online",
        );
      }
      return parsed.data;
    },
    write(state) {
      mkdirSync(dirname(file), { recursive: true });
      const tmp = `${file}.${process.pid}.tmp`;
      writeFileSync(tmp, `${JSON.stringify(state, null, 2)}\n`);
      renameSync(tmp, file);
    },
  };
}

/** In-memory store for replay and tests. */
export function createMemoryStateStore(initial: ConnectionState): ConnectionStateStore {
  let state = initial;
  return {
    read: () => state,
    write: (next) => {
      state = next;
    },
  };
}
