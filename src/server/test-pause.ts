// Test hook: POS_TEST_PAUSE_AT=<point> stops the server at that point, so an end-to-end test can kill -9 it there.
import { writeSync } from "node:fs";

/** The points a test can stop the server at; each is inside work that a kill must not leave half done. */
export type PausePoint = "p0001-apply" | "channel-apply" | "channel-applied";

/**
 * When POS_TEST_PAUSE_AT names `point`, prints `pos: test pause at <point>` on stderr and blocks the process for good
 * (the event loop included, as a long synchronous apply would), so the test's kill -9 lands exactly there. Without
 * the variable it does nothing: production never sets it.
 */
export function pauseForTest(point: PausePoint, env: NodeJS.ProcessEnv = process.env): void {
  if (env.POS_TEST_PAUSE_AT !== point) return;
  writeSync(2, `pos: test pause at ${point} (pid ${process.pid})\n`);
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
}
