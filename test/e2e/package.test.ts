// End-to-end: what `npm pack` ships installs into a fresh folder offline and runs — `pos --help` and `pos demo`.
import { execFile } from "node:child_process";
import { cpSync, mkdirSync, readFileSync, symlinkSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tempHome } from "../helpers/cli.js";

const run = promisify(execFile);
const root = new URL("../../", import.meta.url).pathname;
const work = tempHome("pos-package-e2e-");
const installed = join(work.home, "package");
const binDir = join(work.home, "bin");
let files: string[] = [];

/** npm's own settings from `npm test` (npm_config_*) must not leak into the installs below. */
function cleanEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.toLowerCase().startsWith("npm_")));
  return { ...env, ...extra };
}

beforeAll(async () => {
  // dist/ is already built by `npm run build` (npm test runs it first): --ignore-scripts skips `prepare`.
  const packed = await run("npm", ["pack", "--ignore-scripts", "--json", "--pack-destination", work.home], {
    cwd: root,
    env: cleanEnv(),
  });
  const [info] = JSON.parse(packed.stdout) as Array<{ filename: string; files: Array<{ path: string }> }>;
  if (!info) throw new Error(`npm pack printed no package: ${packed.stdout}`);
  files = info.files.map((f) => f.path);
  await run("tar", ["-xzf", join(work.home, info.filename), "-C", work.home]);
  // Dependencies at the versions of the project's lockfile, from the npm cache (no network). Install scripts are
  // skipped: better-sqlite3 would compile for minutes, so its already-built binary is copied instead.
  cpSync(join(root, "package-lock.json"), join(installed, "package-lock.json"));
  await run("npm", ["ci", "--omit=dev", "--offline", "--ignore-scripts", "--no-audit", "--no-fund"], {
    cwd: installed,
    env: cleanEnv(),
  });
  const native = "node_modules/better-sqlite3/build/Release";
  mkdirSync(join(installed, native), { recursive: true });
  cpSync(join(root, native, "better_sqlite3.node"), join(installed, native, "better_sqlite3.node"));
  // What `npm install -g` does: a `pos` on the PATH pointing at the package's bin.
  mkdirSync(binDir);
  symlinkSync(join(installed, "bin", "pos.js"), join(binDir, "pos"));
}, 240_000);

afterAll(() => work.remove());

const pos = (args: string[]) =>
  run("pos", args, {
    cwd: work.home,
    env: cleanEnv({ PATH: `${binDir}:${process.env.PATH}`, CI: "true", NO_COLOR: "1", HOME: work.home }),
  });

describe("the packed tarball", () => {
  it("ships the built CLI, fixtures, scenarios and docs, and no tests or sources", () => {
    expect(files).toEqual(
      expect.arrayContaining([
        "bin/pos.js",
        "dist/cli.js",
        "dist/cli.js.map",
        "fixtures/products.json",
        "scenarios/blackhole-mid-sale.yaml",
        "docs/scenarios.md",
        "package.json",
        "README.md",
        "LICENSE",
      ]),
    );
    expect(files.filter((f) => /^(test|src|bench)\//.test(f))).toEqual([]);
    const pkg = JSON.parse(readFileSync(join(installed, "package.json"), "utf8")) as Record<string, unknown>;
    expect(pkg.license).toBe("MIT");
    expect(pkg.repository).toBeDefined();
  });

  it("installed from the tarball, pos --help works", async () => {
    const r = await pos(["--help"]);
    expect(r.stdout).toMatch(/^Usage: pos /);
  });

  it("installed from the tarball, pos demo runs the whole story", async () => {
    const r = await pos(["demo"]);
    expect(r.stdout).toMatch(/Demo complete: all \d+ steps did what they said\./);
  }, 120_000);
});
