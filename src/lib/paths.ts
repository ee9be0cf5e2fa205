// Where things live under the home folder (--home, env POS_HOME, default ~/.pos).
import { homedir } from "node:os";
import { join, resolve } from "node:path";

export function resolveHome(option: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  return resolve(option ?? env.POS_HOME ?? join(homedir(), ".pos"));
}

export function createPaths(home: string) {
  return {
    home,
    serverDir: join(home, "server"),
    hqDb: join(home, "server", "hq.db"),
    channelDb: (store: string) => join(home, "server", `channel-${store}.db`),
    adminTokenFile: join(home, "server", "admin-token"),
    packagesDir: join(home, "server", "packages"),
    registersDir: join(home, "registers"),
    registerDir: (id: string) => join(home, "registers", id),
    registerConfig: (id: string) => join(home, "registers", id, "register.json"),
    offlineDb: (id: string) => join(home, "registers", id, "offline.db"),
    numbersFile: (id: string) => join(home, "registers", id, "numbers.json"),
    journal: (id: string) => join(home, "registers", id, "journal.ndjson"),
  };
}

export type Paths = ReturnType<typeof createPaths>;
