// `pos doctor`: checks everything about a register (or each register of the home) and prints what fixes each problem.
import type { Command } from "commander";
import type { DoctorResult } from "../doctor/doctor.js";
import type { Deps } from "../lib/deps.js";
import { action } from "./action.js";

interface DoctorFlags {
  register?: string;
}

export function register(program: Command): void {
  program
    .command("doctor")
    .option("--register <id>", "one register (env POS_REGISTER; default: every register of the home)")
    .addHelpText(
      "after",
      "\nExamples:\n  pos doctor\n  pos doctor --register SEA01-R1 --json\n\nOne line per check (✔ ok, ⚠ warning, ✘ problem) and, for each problem, the command that fixes it.\nExit 0 when nothing is wrong (warnings alone too), 1 when a problem was found, 2 for bad usage.",
    )
    .action(action(doctor));
}

export async function doctor(deps: Deps, flags: DoctorFlags): Promise<DoctorResult> {
  const [{ runDoctor }, { renderDoctor }, { OperationError }] = await Promise.all([
    import("../doctor/doctor.js"),
    import("../ui/doctor.js"),
    import("../lib/errors.js"),
  ]);
  const result = await runDoctor({
    paths: deps.paths,
    clock: deps.clock,
    registerId: flags.register ?? deps.env.POS_REGISTER,
  });
  deps.output.result(result, (data: DoctorResult) => renderDoctor(data, deps.output.color));
  if (result.problems > 0) {
    throw new OperationError(
      `${result.problems} problem(s) found in ${result.registers.join(", ")}`,
      "DoctorFoundProblems",
      "run the fix printed under each ✘, then pos doctor again",
    );
  }
  return result;
}
