import { describe, expect, it } from "vitest";
import { runPos } from "../helpers/cli.js";

describe("pos CLI shell", () => {
  it.each([[["--help"]], [["--version"]]])("%j exits 0 with output on stdout", async (args) => {
    const r = await runPos(args);
    expect(r.code).toBe(0);
    expect(r.stdout.length).toBeGreaterThan(0);
    expect(r.stderr).toBe("");
  });

  it.each([
    [["nosuch"], /nosuch/],
    [["--bogus"], /--bogus/],
  ])("%j exits 2 with one line on stderr and nothing on stdout", async (args, pattern) => {
    const r = await runPos(args);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toMatch(pattern);
  });
});
