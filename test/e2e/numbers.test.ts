// Receipt numbers (SPEC §4.3): contiguous across clean runs; a crash leaves a recorded gap, never a reuse.
import { rmSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runPos, tempHome } from "../helpers/cli.js";
import { provisionTestRegister } from "../helpers/register-home.js";
import { scriptedSaleArgs, startSale } from "../helpers/sale-process.js";
import { startServer, type TestServer } from "../helpers/server.js";

const sale = scriptedSaleArgs("SEA01-R1");
const seq = (id: string) => Number(id.slice(id.lastIndexOf("-") + 1));

describe("transaction numbers", () => {
  const t = tempHome("pos-numbers-");
  let server: TestServer;

  beforeAll(async () => {
    server = await startServer(t.home);
    await provisionTestRegister(t.home, server.url, "SEA01-R1");
  });
  afterAll(async () => {
    await server?.stop();
    t.remove();
  });

  const status = async () => {
    const r = await runPos(["--json", "status", "--register", "SEA01-R1"], { home: t.home });
    expect(r.code, r.stderr).toBe(0);
    return JSON.parse(r.stdout) as {
      numbers: { reservedTo: number; usedTo: number; gaps: Array<{ first: number; last: number; reason: string }> };
    };
  };

  it("three clean runs in a row (online and offline) give contiguous numbers", async () => {
    const ids: string[] = [];
    for (const input of ["1001\npay card\nquit\n", "917\n1002\npay card\n917\nquit\n", "1003\npay cash 20\nquit\n"]) {
      const r = await runPos(sale, { home: t.home, input });
      expect(r.code, r.stderr).toBe(0);
      ids.push(...(JSON.parse(r.stdout) as { receipts: Array<{ id: string }> }).receipts.map((x) => x.id));
    }
    expect(ids.map(seq)).toEqual([1, 2, 3]);
    expect((await status()).numbers).toMatchObject({ reservedTo: 3, usedTo: 3, gaps: [] });
  });

  it("kill -9 after a sale leaves a recorded gap that pos status lists; the next number is past it", async () => {
    const p = startSale(t.home, sale);
    p.send("1001");
    p.send("pay card");
    await p.waitFor(/sale SEA01-R1-000004 completed/);
    p.kill("SIGKILL");
    await p.end();
    const next = await runPos(sale, { home: t.home, input: "1002\npay card\nquit\n" });
    expect(next.code, next.stderr).toBe(0);
    const id = (JSON.parse(next.stdout) as { receipts: Array<{ id: string }> }).receipts[0]?.id as string;
    const { numbers } = await status();
    expect(numbers.gaps).toEqual([
      expect.objectContaining({ first: 5, last: 53, reason: expect.stringContaining("without a clean exit") }),
    ]);
    expect(seq(id)).toBe(54);
    expect(numbers).toMatchObject({ reservedTo: 54, usedTo: 54 });
  });

  it("a register whose whole folder was lost, provisioned again, continues above what the server holds", async () => {
    rmSync(join(t.home, "registers", "SEA01-R1"), { recursive: true });
    await provisionTestRegister(t.home, server.url, "SEA01-R1");
    const r = await runPos(sale, { home: t.home, input: "1001\npay card\nquit\n" });
    expect(r.code, r.stderr).toBe(0);
    const id = (JSON.parse(r.stdout) as { receipts: Array<{ id: string }> }).receipts[0]?.id as string;
    expect(seq(id)).toBe(55);
  });
});
