import { describe, expect, it } from "vitest";
import { commandNamed } from "../../src/cli.js";

describe("commandNamed: which command module to load", () => {
  it.each<[string[], string | undefined]>([
    [[], undefined],
    [["--help"], undefined],
    [["sale", "--register", "SEA01-R1"], "sale"],
    [["--home", "/tmp/x", "sale"], "sale"],
    [["--home=/tmp/x", "--json", "cdx", "run", "1040"], "cdx"],
    [["--json", "-q", "status"], "status"],
    [["help", "cdx"], "cdx"],
    [["help"], undefined],
    [["nosuch"], "nosuch"],
  ])("%j → %s", (args, expected) => {
    expect(commandNamed(args)).toBe(expected);
  });
});
