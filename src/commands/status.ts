// `pos status`, `pos connect`, `pos disconnect`: the Connection status at a glance and operation 917 from the shell.
import type { Command } from "commander";
import type { Deps } from "../lib/deps.js";
import type { Operation917Result, RegisterStatus } from "../register/status.js";
import { action } from "./action.js";

interface RegisterOption {
  register?: string;
}

const REGISTER_HELP = "register id (env POS_REGISTER; default: the only provisioned register)";

export function register(program: Command): void {
  program
    .command("status")
    .option("--register <id>", REGISTER_HELP)
    .addHelpText(
      "after",
      "\nExamples:\n  pos status                 # with several registers: one row each\n  pos status --register SEA01-R1 --json",
    )
    .action(action(status));
  program
    .command("disconnect")
    .option("--register <id>", REGISTER_HELP)
    .addHelpText("after", "\nExample:\n  pos disconnect --register SEA01-R1")
    .action(action(disconnect));
  program
    .command("connect")
    .option("--register <id>", REGISTER_HELP)
    .addHelpText("after", "\nExample:\n  pos connect --register SEA01-R1")
    .action(action(connect));
}

async function status(deps: Deps, options: RegisterOption): Promise<unknown> {
  const [{ listRegisterIds, resolveRegisterId }, { registerStatus }, { renderConnectionStatus }] = await Promise.all([
    import("../register/config.js"),
    import("../register/status.js"),
    import("../ui/connection-status.js"),
  ]);
  if (!options.register && !deps.env.POS_REGISTER && listRegisterIds(deps.paths).length > 1) {
    // Several registers and none named: every register at a glance, one row each (one JSON document).
    const [{ registersOverview }, { renderRegistersOverview }] = await Promise.all([
      import("../register/overview.js"),
      import("../ui/connection-status.js"),
    ]);
    const registers = await registersOverview(deps.paths, deps.clock);
    deps.output.result({ registers }, () => renderRegistersOverview(registers, deps.output.color));
    return { registers };
  }
  const registerId = resolveRegisterId(deps.paths, options.register, deps.env);
  const result = await registerStatus({ paths: deps.paths, clock: deps.clock, registerId, probe: true });
  deps.output.result(result, (data: RegisterStatus) => renderConnectionStatus(data, deps.output.color));
  return result;
}

async function disconnect(deps: Deps, options: RegisterOption): Promise<Operation917Result> {
  const [{ resolveRegisterId }, { disconnectRegister }] = await Promise.all([
    import("../register/config.js"),
    import("../register/status.js"),
  ]);
  const registerId = resolveRegisterId(deps.paths, options.register, deps.env);
  const result = await disconnectRegister({ paths: deps.paths, clock: deps.clock, registerId });
  deps.output.result(result, (data: Operation917Result) =>
    data.changed
      ? `${data.register}: disconnected (operation 917) — offline (manual) until pos connect`
      : `${data.register}: already offline (manual) since ${data.since} — nothing to do`,
  );
  return result;
}

async function connect(deps: Deps, options: RegisterOption): Promise<Operation917Result> {
  const [{ resolveRegisterId }, { connectRegister }] = await Promise.all([
    import("../register/config.js"),
    import("../register/status.js"),
  ]);
  const registerId = resolveRegisterId(deps.paths, options.register, deps.env);
  const spinner = await deps.output.spinner(`${registerId}: connecting to the server`);
  let result: Operation917Result;
  try {
    result = await connectRegister({ paths: deps.paths, clock: deps.clock, registerId });
  } finally {
    spinner.stop();
  }
  deps.output.result(result, (data: Operation917Result) =>
    data.changed
      ? `${data.register}: connected (operation 917) — online`
      : `${data.register}: already online — nothing to do`,
  );
  return result;
}
