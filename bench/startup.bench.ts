// `pos --help` against bare `node -e 0`, measured in the same run (target ≤ 1.5×).
import { fileURLToPath } from "node:url";
import { commandMs, figure, ratio } from "./lib.js";

export default async function startup(): Promise<void> {
  const bin = fileURLToPath(new URL("../bin/pos.js", import.meta.url));
  const runs = 15;
  commandMs(process.execPath, [bin, "--help"], 2); // warm the file cache
  const baseline = commandMs(process.execPath, ["-e", "0"], runs);
  const help = commandMs(process.execPath, [bin, "--help"], runs);
  figure("node -e 0 (median)", baseline, "ms");
  figure("pos --help (median)", help, "ms");
  ratio("pos --help / node -e 0", help / baseline, 1.5, false);
}
