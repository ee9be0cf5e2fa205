// `pos completion bash|zsh|fish`: prints a completion script for the shell, written from the whole command tree.
import { Argument, type Command } from "commander";
import { action } from "./action.js";

const HELP = `
Examples:
  pos completion bash > ~/.local/share/bash-completion/completions/pos
  pos completion zsh > "\${fpath[1]}/_pos"        # then: autoload -U compinit && compinit
  pos completion fish > ~/.config/fish/completions/pos.fish
  source <(pos completion bash)                  # this shell only

The script knows every command, subcommand and option of this version; print it again after an upgrade.`;

export function register(program: Command): void {
  program
    .command("completion")
    .addArgument(new Argument("<shell>", "the shell").choices(["bash", "zsh", "fish"]))
    .addHelpText("after", HELP)
    .action(
      action(async (deps, _flags: unknown, shell: "bash" | "zsh" | "fish") => {
        const [{ buildFullProgram }, { completionLevels, completionScript }] = await Promise.all([
          import("../cli.js"),
          import("../ui/completion.js"),
        ]);
        const script = completionScript(shell, completionLevels(await buildFullProgram()));
        deps.output.result({ shell, script }, () => script);
      }),
    );
}
