import { Chalk } from "chalk";
import { describe, expect, it } from "vitest";
import { ago, formatBytes, modeBadge, stripAnsi, visibleWidth } from "../../../src/ui/format.js";
import { renderTable } from "../../../src/ui/table.js";

const plain = new Chalk({ level: 0 });
const colored = new Chalk({ level: 1 });

describe("renderTable", () => {
  it("aligns columns to the widest cell, right-aligning where asked", () => {
    const text = renderTable(
      [{ header: "job" }, { header: "rows", align: "right" }, "name"],
      [
        ["1040", 12345, "Products"],
        ["1010", 7, "Customers"],
      ],
    );
    expect(text.split("\n")).toEqual(["job    rows  name", "1040  12345  Products", "1010      7  Customers"]);
  });

  it("ignores colour codes when measuring, and trims trailing spaces", () => {
    const text = renderTable(
      ["a", "b"],
      [
        [colored.red("xx"), ""],
        ["y", "z"],
      ],
      { color: colored },
    );
    const lines = text.split("\n").map(stripAnsi);
    expect(lines).toEqual(["a   b", "xx", "y   z"]);
  });

  it("measures display width: Japanese names take two columns a character, so the next column still lines up", () => {
    const text = renderTable(
      [{ header: "item" }, { header: "name" }, { header: "amount", align: "right" }],
      [
        ["2001", "抹茶ラテ", "480"],
        ["2002", "Green tea, 500 ml", "150"],
        ["2003", "おにぎり 鮭", "1,200"],
      ],
    );
    const lines = text.split("\n");
    expect(lines).toEqual([
      "item  name               amount",
      "2001  抹茶ラテ              480",
      "2002  Green tea, 500 ml     150",
      "2003  おにぎり 鮭         1,200",
    ]);
    expect(new Set(lines.map(visibleWidth))).toEqual(new Set([31]));
  });

  it("prints the empty text when there are no rows", () => {
    expect(renderTable(["a"], [], { empty: "nothing yet", indent: 2 })).toBe("  nothing yet");
  });

  it("renders null and undefined as empty cells", () => {
    expect(renderTable(["a", "b", "c"], [[null, undefined, 1]])).toBe("a  b  c\n      1");
  });
});

describe("format helpers", () => {
  it.each([
    ["online", "ONLINE"],
    ["offline-auto", "OFFLINE (auto)"],
    ["offline-manual", "OFFLINE (manual)"],
  ] as const)("mode badge %s reads %s, without colour at level 0", (mode, text) => {
    expect(modeBadge(mode, plain)).toBe(text);
    expect(stripAnsi(modeBadge(mode, colored))).toBe(text);
  });

  it("colours ONLINE green and OFFLINE yellow", () => {
    expect(modeBadge("online", colored)).toContain("\u001b[32m");
    expect(modeBadge("offline-manual", colored)).toContain("\u001b[33m");
  });

  it.each([
    [0, "just now"],
    [5_000, "5s ago"],
    [185_000, "3m 5s ago"],
  ])("age %i ms reads %s", (ms, text) => {
    expect(ago(ms)).toBe(text);
  });

  it.each([
    [512, "512 B"],
    [2048, "2.0 KB"],
    [1_500_000, "1.4 MB"],
  ])("%i bytes read %s", (bytes, text) => {
    expect(formatBytes(bytes)).toBe(text);
  });

  it("measures visible width without colour codes", () => {
    expect(visibleWidth(colored.bold.green("ONLINE"))).toBe(6);
  });
});
