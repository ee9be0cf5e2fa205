// End-to-end: `pos replay --check` validates without running; `--schema` prints the JSON Schema.
import { readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runPos, tempHome } from "../helpers/cli.js";

const dir = tempHome("pos-replay-check-");
afterAll(() => dir.remove());

const scenariosDir = new URL("../../scenarios/", import.meta.url).pathname;
const shipped = readdirSync(scenariosDir)
  .filter((f) => f.endsWith(".yaml"))
  .map((f) => join(scenariosDir, f));

const HEADER = 'name: t\nregister: SEA01-R1\nstaff: { id: "000160", password: "1234" }\nsteps:\n';

function write(name: string, body: string): string {
  const file = join(dir.home, name);
  writeFileSync(file, body);
  return file;
}

describe("pos replay --check", () => {
  it("accepts every scenario in scenarios/ (exit 0, one line each)", async () => {
    const r = await runPos(["replay", "--check", ...shipped]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split("\n")).toHaveLength(shipped.length);
  });

  it.each<[string, string, RegExp]>([
    [
      "misspelt expectation",
      "  - expect: { mdoe: online }\n",
      /step 1 \(line 5\): expect\.mdoe: unknown field — did you mean mode\?/,
    ],
    [
      "misspelt fault",
      "  - fault: blakhole\n",
      /step 1 \(line 5\): fault: unknown fault "blakhole" — did you mean blackhole\?/,
    ],
    [
      "misspelt step",
      "  - sael: { lines: [{ item: 1001 }], pay: [{ tender: cash }] }\n",
      /unknown step "sael" — did you mean sale\?/,
    ],
    ["misspelt op", '  - op: "sync pul"\n', /unknown op "sync pul" — did you mean sync pull\?/],
    [
      "misspelt sale field",
      "  - sale: { lines: [{ item: 1001 }], pya: [{ tender: cash }] }\n",
      /sale\.pya: unknown field — did you mean pay\?/,
    ],
    [
      "misspelt header field",
      "  - wait: 1m\nprofil: { timeoutInterval: 1 }\n",
      /line 6: profil: unknown field — did you mean profile\?/,
    ],
    [
      "a quantity as text",
      '  - sale: { lines: [{ item: 1001, qty: "two" }], pay: [{ tender: cash }] }\n',
      /sale\.lines\[0\]\.qty: expected a whole number > 0/,
    ],
    ["bad YAML", "  - wait: [1m\n", /not valid YAML\/JSON/],
  ])("%s: exit 2 naming file, step and field", async (_label, steps, message) => {
    const file = write(`${_label.replace(/\W+/g, "-")}.yaml`, HEADER + steps);
    const r = await runPos(["replay", "--check", file]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(file);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it("checks every file and reports each, good and bad, as JSON with --json", async () => {
    const bad = write("bad.yaml", `${HEADER}  - fault: blakhole\n`);
    const r = await runPos(["--json", "replay", "--check", shipped[0] ?? "", bad]);
    expect(r.code).toBe(2);
    const doc = JSON.parse(r.stdout) as { files: Array<{ file: string; ok: boolean; error: string | null }> };
    expect(doc.files.map((f) => f.ok)).toEqual([true, false]);
    expect(doc.files[1]?.error).toMatch(/did you mean blackhole/);
  });
});

describe("pos replay --schema", () => {
  it("prints a JSON Schema of the scenario format", async () => {
    const r = await runPos(["replay", "--schema"]);
    expect(r.code).toBe(0);
    const schema = JSON.parse(r.stdout) as { $schema: string; required: string[]; properties: Record<string, unknown> };
    expect(schema.$schema).toMatch(/json-schema\.org/);
    expect(schema.required).toEqual(expect.arrayContaining(["register", "staff", "steps"]));
    expect(Object.keys(schema.properties)).toEqual(expect.arrayContaining(["name", "profile", "steps"]));
  });

  it("pos replay with no file is exit 2", async () => {
    const r = await runPos(["replay"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/needs a scenario or journal file/);
  });
});
