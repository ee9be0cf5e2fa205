// End-to-end: `pos completion <shell>` prints a script that really completes commands, subcommands and options.
import { execFile } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runPos, tempHome } from "../helpers/cli.js";

const run = promisify(execFile);
const dir = tempHome("pos-completion-e2e-");
let bashScript = "";

beforeAll(async () => {
  const r = await runPos(["completion", "bash"]);
  expect(r.code).toBe(0);
  bashScript = join(dir.home, "pos.bash");
  writeFileSync(bashScript, r.stdout);
});

afterAll(() => dir.remove());

/** What bash offers after the words typed so far (the last one is being completed). */
async function complete(...words: string[]): Promise<string[]> {
  const script = `source "${bashScript}"; COMP_WORDS=(${words.map((w) => `'${w}'`).join(" ")}); COMP_CWORD=${words.length - 1}; _pos_completion; printf '%s\\n' "\${COMPREPLY[@]}"`;
  const { stdout } = await run("bash", ["-c", script]);
  return stdout.split("\n").filter(Boolean);
}

describe("pos completion bash", () => {
  it.each<[string[], string[]]>([
    [["pos", "cd"], ["cdx"]],
    [
      ["pos", "s"],
      ["server", "sync", "sale", "status"],
    ],
    [
      ["pos", "cdx", "re"],
      ["rerun", "resume", "registers"],
    ],
    [
      ["pos", "--home", "/tmp/x", "sync", "pu"],
      ["pull", "push"],
    ],
    [["pos", "sync", "pull", "--r"], ["--register"]],
    [["pos", "hq", "staff", "un"], ["unblock"]],
    [["pos", "completion", "--j"], ["--json"]],
  ])("%j → %j", async (words, expected) => {
    expect((await complete(...words)).sort()).toEqual([...expected].sort());
  });
});

describe("pos completion zsh|fish", () => {
  it.each([["zsh"], ["fish"]])("%s: a script naming every top-level command", async (shell) => {
    const r = await runPos(["completion", shell]);
    expect(r.code).toBe(0);
    for (const command of ["demo", "server", "sale", "cdx", "replay", "completion"])
      expect(r.stdout).toContain(command);
    expect(r.stdout).toContain(shell === "zsh" ? "compdef _pos pos" : "complete -c pos");
  });

  it("an unknown shell is exit 2 naming the choices", async () => {
    const r = await runPos(["completion", "tcsh"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/bash, zsh, fish/);
  });
});
