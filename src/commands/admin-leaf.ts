// The options every admin leaf command shares (--server, --admin-token) and its example line.
import type { Command } from "commander";

export interface ConnectionOptions {
  server?: string;
  adminToken?: string;
}

/** Adds --server/--admin-token and an example to a leaf command. */
export function leaf(command: Command, description: string, example: string): Command {
  return command
    .description(description)
    .option("--server <url>", "server URL (env POS_SERVER; default: the running server of this --home)")
    .option("--admin-token <token>", "admin token (env POS_ADMIN_TOKEN; default: the server's token file)")
    .addHelpText("after", `\nExample:\n  ${example}`);
}
