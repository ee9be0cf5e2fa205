#!/usr/bin/env node
// Entry point: the CLI lives in dist/cli.js (built by `npm run build`, which `npm ci` runs).
import { main } from "../dist/cli.js";

// Ctrl-C exits 130 unless the running command handles SIGINT itself (server shutdown, sale cart).
process.on("SIGINT", () => process.listenerCount("SIGINT") === 1 && process.exit(130));
// A reader that stops early (`pos --help | head`) is not an error.
process.stdout.on("error", (e) => (e.code === "EPIPE" ? process.exit(process.exitCode ?? 0) : Promise.reject(e)));
process.exitCode = await main(process.argv);
