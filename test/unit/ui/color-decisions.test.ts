import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { Output, type OutputStream } from "../../../src/lib/output.js";
import { colorLevel, isTerminal } from "../../../src/lib/terminal.js";

function stream(tty: boolean, columns = 80): OutputStream & PassThrough {
  return Object.assign(new PassThrough(), tty ? { isTTY: true, columns } : {});
}

type Case = [label: string, tty: boolean, env: NodeJS.ProcessEnv, colorFlag: boolean, colored: boolean];

// {TTY, pipe} × {nothing, NO_COLOR, empty NO_COLOR, FORCE_COLOR, FORCE_COLOR=0, TERM=dumb, --no-color}.
const CASES: Case[] = [
  ["tty", true, {}, true, true],
  ["pipe", false, {}, true, false],
  ["tty NO_COLOR=1", true, { NO_COLOR: "1" }, true, false],
  ["pipe NO_COLOR=1", false, { NO_COLOR: "1" }, true, false],
  ["tty NO_COLOR empty (does not count)", true, { NO_COLOR: "" }, true, true],
  ["pipe NO_COLOR empty", false, { NO_COLOR: "" }, true, false],
  ["tty FORCE_COLOR=1", true, { FORCE_COLOR: "1" }, true, true],
  ["pipe FORCE_COLOR=1", false, { FORCE_COLOR: "1" }, true, true],
  ["pipe FORCE_COLOR empty", false, { FORCE_COLOR: "" }, true, true],
  ["tty FORCE_COLOR=0", true, { FORCE_COLOR: "0" }, true, false],
  ["pipe FORCE_COLOR=1 NO_COLOR=1 (force wins)", false, { FORCE_COLOR: "1", NO_COLOR: "1" }, true, true],
  ["tty TERM=dumb", true, { TERM: "dumb" }, true, false],
  ["pipe TERM=dumb", false, { TERM: "dumb" }, true, false],
  ["tty TERM=dumb FORCE_COLOR=1", true, { TERM: "dumb", FORCE_COLOR: "1" }, true, true],
  ["tty --no-color", true, {}, false, false],
  ["pipe --no-color", false, {}, false, false],
  ["tty --no-color FORCE_COLOR=1 (--no-color wins)", true, { FORCE_COLOR: "1" }, false, false],
  ["pipe --no-color FORCE_COLOR=1", false, { FORCE_COLOR: "1" }, false, false],
];

describe("colour per stream", () => {
  it.each(CASES)("stdout: %s → colour %s", (_label, tty, env, flag, colored) => {
    // stderr is the opposite kind of stream, so a leak from one decision into the other would show.
    const output = new Output({ stdout: stream(tty), stderr: stream(!tty), env, color: flag });
    expect(output.color.level > 0).toBe(colored);
  });

  it.each(CASES)("stderr: %s → colour %s", (_label, tty, env, flag, colored) => {
    const output = new Output({ stdout: stream(!tty), stderr: stream(tty), env, color: flag });
    expect(output.colorErr.level > 0).toBe(colored);
  });

  it("a redirected stdout gets no escapes while stderr (a terminal) keeps its colours", () => {
    const stdout = stream(false);
    const stderr = stream(true);
    const output = new Output({ stdout, stderr, env: {} });
    output.result({ ok: true }, () => output.color.green("ok"));
    output.warn("careful");
    expect(String(stdout.read())).toBe("ok\n");
    expect(String(stderr.read())).toBe("\u001b[33mcareful\u001b[39m\n");
  });

  it("with --json the human answer goes to stderr, coloured as stderr decides", () => {
    const output = new Output({ stdout: stream(true), stderr: stream(false), env: {}, json: true });
    expect(output.color.level).toBe(0);
    expect(output.colorErr.level).toBe(0);
  });

  it.each([
    ["FORCE_COLOR=2", { FORCE_COLOR: "2" }, 2],
    ["FORCE_COLOR=3", { FORCE_COLOR: "3" }, 3],
    ["FORCE_COLOR=true", { FORCE_COLOR: "true" }, 1],
  ])("%s gives level %i", (_label, env, level) => {
    expect(colorLevel({}, env)).toBe(level);
  });
});

describe("a terminal is a TTY with a width", () => {
  it.each<[string, { isTTY?: boolean; columns?: number }, boolean]>([
    ["tty 80 columns", { isTTY: true, columns: 80 }, true],
    ["tty 0 columns", { isTTY: true, columns: 0 }, false],
    ["pipe", {}, false],
  ])("%s → %s", (_label, shape, expected) => {
    expect(isTerminal(shape)).toBe(expected);
  });

  it("no spinner or progress on a zero-width TTY, nor under CI, nor with --json", () => {
    expect(new Output({ stdout: stream(true, 0), stderr: stream(true, 0), env: {} }).progress).toBe(false);
    expect(new Output({ stdout: stream(true), stderr: stream(true), env: { CI: "true" } }).progress).toBe(false);
    expect(new Output({ stdout: stream(true), stderr: stream(true), env: {}, json: true }).progress).toBe(false);
    expect(new Output({ stdout: stream(true), stderr: stream(true), env: {} }).progress).toBe(true);
  });
});
