import type { Command } from "commander";
import { describe, expect, it } from "vitest";
import { buildFullProgram, commandNamed, describeError, normalizeArgs } from "../../src/cli.js";

function helpOf(command: Command): string {
  let text = "";
  command.configureOutput({
    writeOut: (s) => {
      text += s;
    },
    writeErr: (s) => {
      text += s;
    },
  });
  command.outputHelp();
  return text;
}

function everyCommand(command: Command, path = "pos"): Array<[string, Command]> {
  return [
    [path, command],
    ...command.commands.filter((c) => c.name() !== "help").flatMap((c) => everyCommand(c, `${path} ${c.name()}`)),
  ];
}

describe("help", async () => {
  const program = await buildFullProgram();
  it.each(everyCommand(program))("%s --help shows an example", (_path, command) => {
    expect(helpOf(command)).toMatch(/Examples?:\n {2}pos /);
  });
});

describe("normalizeArgs: pos help a b is pos a b --help", () => {
  it.each<[string[], string[]]>([
    [
      ["help", "cdx", "run"],
      ["cdx", "run", "--help"],
    ],
    [
      ["--home", "/x", "help", "sync", "pull"],
      ["--home", "/x", "sync", "pull", "--help"],
    ],
    [["help"], ["help"]],
    [
      ["sale", "help"],
      ["sale", "help"],
    ],
    [
      ["--home", "help", "cdx"],
      ["--home", "help", "cdx"],
    ],
  ])("%j → %j", (args, expected) => {
    expect(normalizeArgs(args)).toEqual(expected);
    expect(commandNamed(normalizeArgs(args))).toBe(commandNamed(args) === "help" ? undefined : commandNamed(args));
  });
});

describe("describeError: what an error becomes", () => {
  it.each<[unknown, number, string, string | null]>([
    [
      Object.assign(new Error("no register"), { exitCode: 2, code: "RegisterNotProvisioned", fix: "provision" }),
      2,
      "RegisterNotProvisioned",
      "provision",
    ],
    [
      Object.assign(new Error("down"), { exitCode: 3, code: "ServerUnreachable" }),
      3,
      "ServerUnreachable",
      "start the server or check its URL (pos doctor shows which and how)",
    ],
    [new TypeError("x is undefined"), 1, "InternalError", "run again with --verbose for details, and please report it"],
  ])("%s → exit %i, %s", (error, exitCode, code, fix) => {
    expect(describeError(error)).toMatchObject({ exitCode, code, fix });
  });
});
