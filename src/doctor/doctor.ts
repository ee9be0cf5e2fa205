// `pos doctor`: every check for one register or each register of the home; data only, never printing.
import type { Clock } from "../lib/clock.js";
import { UsageError } from "../lib/errors.js";
import type { Paths } from "../lib/paths.js";
import { listRegisterIds, readRegisterConfig } from "../register/config.js";
import { runChecks } from "./checks.js";
import { gatherFacts } from "./facts.js";
import type { Check } from "./types.js";

export interface DoctorCheck extends Check {
  register: string;
}

export interface DoctorResult {
  registers: string[];
  checks: DoctorCheck[];
  problems: number;
  warnings: number;
  checkedAt: string;
}

export interface DoctorOptions {
  paths: Paths;
  clock: Clock;
  /** One register; every register of the home when absent. */
  registerId?: string | undefined;
}

export async function runDoctor(options: DoctorOptions): Promise<DoctorResult> {
  const { paths, clock } = options;
  const registers = options.registerId ? [options.registerId] : listRegisterIds(paths);
  if (registers.length === 0) {
    throw new UsageError(
      `no register is provisioned under ${paths.home}`,
      "RegisterNotProvisioned",
      "run pos register provision <id> --server <url>",
    );
  }
  // A named register must exist: a typo is bad usage (exit 2), not a diagnosis.
  if (options.registerId) readRegisterConfig(paths, options.registerId);
  const checks: DoctorCheck[] = [];
  for (const register of registers) {
    const facts = await gatherFacts(paths, clock, register);
    for (const check of runChecks(facts)) checks.push({ register, ...check });
  }
  return {
    registers,
    checks,
    problems: checks.filter((c) => c.status === "problem").length,
    warnings: checks.filter((c) => c.status === "warning").length,
    checkedAt: new Date(clock.now()).toISOString(),
  };
}
