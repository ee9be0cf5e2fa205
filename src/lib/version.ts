// The program's version, from package.json (one place: `pos --version`, the server's /health, replay reports).
import { readFileSync } from "node:fs";

export function readVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };
  return pkg.version;
}
