// What a stream is: a terminal (a TTY with a width) or not, and how much colour it gets; pure, so a table test covers it.

/** The parts of a stream that decide: Node's tty.WriteStream has both; a pipe or file has neither. */
export interface StreamShape {
  isTTY?: boolean;
  columns?: number;
}

/**
 * A TTY that reports zero columns (some CI runners' pseudo-terminals) is not a terminal: spinners there
 * compute "lines to clear" as width / 0 and never finish.
 */
export function isTerminal(stream: StreamShape): boolean {
  return Boolean(stream.isTTY) && (stream.columns === undefined || stream.columns > 0);
}

export type ColorLevel = 0 | 1 | 2 | 3;

/**
 * The colour level of one stream. In order: `--no-color` wins; then FORCE_COLOR (`0`/`false` off, empty or
 * `1`/`true` basic, `2` 256 colours, `3` truecolor); then NO_COLOR, only when non-empty (no-color.org);
 * then TERM=dumb; then whether the stream is a terminal.
 */
export function colorLevel(stream: StreamShape, env: NodeJS.ProcessEnv, flag = true): ColorLevel {
  if (!flag) return 0;
  const force = env.FORCE_COLOR;
  if (force !== undefined) {
    if (force === "" || force === "1" || force === "true") return 1;
    if (force === "2") return 2;
    if (force === "3") return 3;
    if (force === "0" || force === "false") return 0;
  }
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== "") return 0;
  if (env.TERM === "dumb") return 0;
  return isTerminal(stream) ? 1 : 0;
}

/** CI runners set CI=true (or a name); CI=false or CI=0 says it is not one. */
export function underCi(env: NodeJS.ProcessEnv): boolean {
  const ci = env.CI;
  return ci !== undefined && ci !== "" && ci !== "false" && ci !== "0";
}
