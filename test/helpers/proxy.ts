// Starts the real `pos proxy start` in a home and parses its addresses.
import type { ChildProcess } from "node:child_process";
import { spawnPos } from "./cli.js";

export /** Starts `pos proxy start` and resolves with its printed addresses once both lines are out. */
function startProxy(
  home: string,
  targetUrl: string,
): { child: ChildProcess; ready: Promise<{ url: string; control: string }> } {
  const child = spawnPos(["proxy", "start", "--listen", "127.0.0.1:0", "--target", targetUrl], { home });
  const ready = new Promise<{ url: string; control: string }>((resolve, reject) => {
    let stdout = "";
    let stderr = "";
    child.stderr?.setEncoding("utf8").on("data", (data: string) => {
      stderr += data;
    });
    const timer = setTimeout(() => reject(new Error(`proxy did not start: ${stdout}${stderr}`)), 15_000);
    child.stdout?.setEncoding("utf8").on("data", (data: string) => {
      stdout += data;
      const url = /listening on (http:\/\/\S+)/.exec(stdout)?.[1];
      const control = /control: (http:\/\/\S+)/.exec(stdout)?.[1];
      if (url && control) {
        clearTimeout(timer);
        resolve({ url, control });
      }
    });
    child.on("exit", (code) => reject(new Error(`proxy exited early with ${code}: ${stdout}${stderr}`)));
  });
  return { child, ready };
}
