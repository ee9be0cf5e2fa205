#!/usr/bin/env node
// Entry point: the CLI lives in dist/cli.js (built by `npm run build`, which `npm ci` runs).
// Source maps before anything loads, so a --verbose stack trace names src/*.ts lines.
if (process.argv.includes("--verbose")) process.setSourceMapsEnabled(true);
const { main, exitOnSignals } = await import("../dist/cli.js");
exitOnSignals(); // Ctrl-C 130, SIGTERM 143, unless the running command stops cleanly itself (server, proxy, sale)
// A reader that stops early (`pos --help | head`) is not an error.
process.stdout.on("error", (e) => (e.code === "EPIPE" ? process.exit(process.exitCode ?? 0) : Promise.reject(e)));
process.exitCode = await main(process.argv);
