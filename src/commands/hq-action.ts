// Shared by the `pos hq` command files: connection options, the example footer, and the admin-client wrapper.
import type { Command } from "commander";
import type { AdminClient } from "../lib/admin-client.js";
import type { Deps } from "../lib/deps.js";
import { action } from "./action.js";

export interface ConnectionOptions {
  server?: string;
  adminToken?: string;
}

/** Adds --server/--admin-token and an example to a leaf command. */
export function leaf(command: Command, example: string): Command {
  return command
    .option("--server <url>", "server URL (env POS_SERVER; default: the running server of this --home)")
    .option("--admin-token <token>", "admin token (env POS_ADMIN_TOKEN; default: the server's token file)")
    .addHelpText("after", `\nExample:\n  ${example}`);
}

/** Runs `run` with an admin client (loaded lazily), closing it afterwards; prints the result. */
export function hqAction<O extends ConnectionOptions, A extends unknown[], T>(
  run: (client: AdminClient, options: O, ...args: A) => Promise<T>,
  human: (data: T) => string,
) {
  return action(async (deps: Deps, options: O, ...args: A) => {
    const { createAdminClient, resolveAdminConnection } = await import("../lib/admin-client.js");
    const client = createAdminClient(resolveAdminConnection(deps.paths, deps.env, options));
    try {
      deps.output.result(await run(client, options, ...args), human);
    } finally {
      client.close();
    }
  });
}
