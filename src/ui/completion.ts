// Shell completion scripts (bash, zsh, fish) written from the command tree, so they never drift from the CLI.
import type { Command } from "commander";

/** One level of the tree: `pos`, `pos cdx`, `pos cdx run`, with what may follow it. */
export interface CompletionLevel {
  path: string;
  commands: ReadonlyArray<{ name: string; description: string }>;
  options: ReadonlyArray<{ flags: string[]; description: string; takesValue: boolean; choices: string[] }>;
}

export const SHELLS = ["bash", "zsh", "fish"] as const;
export type Shell = (typeof SHELLS)[number];

/** Walks the commander tree; global options are offered at every level (commander accepts them anywhere). */
export function completionLevels(program: Command): CompletionLevel[] {
  const globals = optionsOf(program);
  const levels: CompletionLevel[] = [];
  const visit = (command: Command, path: string) => {
    const subs = command.commands.filter((c) => c.name() !== "help");
    levels.push({
      path,
      commands: subs.map((c) => ({ name: c.name(), description: firstLine(c.description()) })),
      options: command === program ? globals : [...optionsOf(command), ...globals],
    });
    for (const sub of subs) visit(sub, `${path} ${sub.name()}`);
  };
  visit(program, program.name());
  return levels;
}

function optionsOf(command: Command): CompletionLevel["options"] {
  return command.options
    .filter((o) => !o.hidden)
    .map((o) => ({
      flags: [o.short, o.long].filter((f): f is string => Boolean(f)),
      description: firstLine(o.description),
      takesValue: o.required || o.optional,
      choices: o.argChoices ?? [],
    }));
}

function firstLine(text: string): string {
  return (text.split("\n")[0] ?? "").trim();
}

export function completionScript(shell: Shell, levels: readonly CompletionLevel[]): string {
  if (shell === "bash") return bashScript(levels);
  if (shell === "zsh") return zshScript(levels);
  return fishScript(levels);
}

/** Single-quoted for sh, bash, zsh and fish alike ('it'"'"'s' is not fish: fish takes \' inside quotes). */
function quote(text: string, shell: Shell): string {
  return shell === "fish"
    ? `'${text.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`
    : `'${text.replace(/'/g, "'\\''")}'`;
}

/** The case patterns that walk words into a deeper level, shared by bash and zsh. */
function pathCases(levels: readonly CompletionLevel[]): string {
  return levels
    .filter((l) => l.path.includes(" "))
    .map((l) => `"${l.path}"`)
    .join("|");
}

function valueFlags(levels: readonly CompletionLevel[]): string {
  const flags = new Set<string>();
  for (const l of levels) for (const o of l.options) if (o.takesValue) for (const f of o.flags) flags.add(f);
  return [...flags].sort().join("|");
}

function bashScript(levels: readonly CompletionLevel[]): string {
  const cases = levels
    .map((l) => {
      const words = [...l.commands.map((c) => c.name), ...l.options.flatMap((o) => o.flags)];
      return `    "${l.path}") words=${quote(words.join(" "), "bash")} ;;`;
    })
    .join("\n");
  return `# bash completion for pos (pos completion bash)
_pos_completion() {
  local cur prev word cmdpath="pos" words="" i
  cur="\${COMP_WORDS[COMP_CWORD]}"
  prev="\${COMP_WORDS[COMP_CWORD-1]}"
  case "$prev" in
    ${valueFlags(levels)}) COMPREPLY=($(compgen -f -- "$cur")); return 0 ;;
  esac
  for ((i = 1; i < COMP_CWORD; i++)); do
    word="\${COMP_WORDS[i]}"
    case "$cmdpath $word" in
      ${pathCases(levels)}) cmdpath="$cmdpath $word" ;;
    esac
  done
  case "$cmdpath" in
${cases}
  esac
  COMPREPLY=($(compgen -W "$words" -- "$cur"))
}
complete -o default -F _pos_completion pos
`;
}

function zshScript(levels: readonly CompletionLevel[]): string {
  const entry = (name: string, description: string) => quote(`${name.replace(/:/g, "\\:")}:${description}`, "zsh");
  const cases = levels
    .map((l) => {
      const commands = l.commands.map((c) => entry(c.name, c.description)).join(" ");
      const options = l.options.flatMap((o) => o.flags.map((f) => entry(f, o.description))).join(" ");
      return `    ("${l.path}") commands=(${commands}); options=(${options}) ;;`;
    })
    .join("\n");
  return `#compdef pos
# zsh completion for pos (pos completion zsh)
_pos() {
  local cmdpath="pos" word i
  local -a commands options
  case "\${words[CURRENT-1]}" in
    (${valueFlags(levels)}) _files; return ;;
  esac
  for ((i = 2; i < CURRENT; i++)); do
    word="\${words[i]}"
    case "$cmdpath $word" in
      (${pathCases(levels)}) cmdpath="$cmdpath $word" ;;
    esac
  done
  case "$cmdpath" in
${cases}
  esac
  if [[ "\${words[CURRENT]}" == -* ]]; then
    _describe -t options option options
  else
    _describe -t commands command commands
  fi
}
compdef _pos pos
`;
}

function fishScript(levels: readonly CompletionLevel[]): string {
  const lines: string[] = [
    "# fish completion for pos (pos completion fish)",
    "function __pos_path",
    '  set -l cmdpath "pos"',
    "  for word in (commandline -opc)[2..-1]",
    '    if contains -- "$cmdpath $word" $__pos_paths',
    '      set cmdpath "$cmdpath $word"',
    "    end",
    "  end",
    '  echo "$cmdpath"',
    "end",
    `set -g __pos_paths ${levels
      .filter((l) => l.path.includes(" "))
      .map((l) => quote(l.path, "fish"))
      .join(" ")}`,
    "complete -c pos -f",
  ];
  for (const l of levels) {
    const when = `-n ${quote(`test (__pos_path) = ${quote(l.path, "fish")}`, "fish")}`;
    for (const c of l.commands) {
      lines.push(`complete -c pos ${when} -a ${quote(c.name, "fish")} -d ${quote(c.description, "fish")}`);
    }
    for (const o of l.options) {
      const flags = o.flags.map((f) => (f.startsWith("--") ? `-l ${f.slice(2)}` : `-s ${f.slice(1)}`)).join(" ");
      const value = o.takesValue ? (o.choices.length ? ` -x -a ${quote(o.choices.join(" "), "fish")}` : " -r -F") : "";
      lines.push(`complete -c pos ${when} ${flags}${value} -d ${quote(o.description, "fish")}`);
    }
  }
  return `${lines.join("\n")}\n`;
}
