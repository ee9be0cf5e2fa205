// The one bag of injected dependencies, built at the entry point and passed down.
import type { Clock } from "./clock.js";
import type { Output } from "./output.js";
import type { Paths } from "./paths.js";

export interface Deps {
  clock: Clock;
  output: Output;
  paths: Paths;
  env: NodeJS.ProcessEnv;
}

export interface GlobalOptions {
  home?: string;
  json?: boolean;
  color?: boolean;
  quiet?: boolean;
  verbose?: boolean;
}
