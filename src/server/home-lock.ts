// One server per home: a lock file naming the pid and URL, so a second `pos server start` there is refused.
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { UsageError } from "../lib/errors.js";

export interface HomeLock {
  file: string;
  /** Records the URL once the server listens, for the message a second server prints. */
  update(url: string): void;
  /** Removes the lock if it is still ours. */
  release(): void;
}

interface LockContent {
  pid: number;
  url: string | null;
  startedAt: string;
}

export function lockFile(serverDir: string): string {
  return join(serverDir, "server.lock");
}

/**
 * Takes the home's lock (created exclusively). A lock whose pid no longer runs was left by a server that was killed
 * (kill -9, power cut): it is taken over. A live one is refused with exit 2, naming the pid and URL.
 */
export function lockHome(serverDir: string, now: string, pid = process.pid): HomeLock {
  const file = lockFile(serverDir);
  const content: LockContent = { pid, url: null, startedAt: now };
  const write = (flag: "wx" | "w") => writeFileSync(file, `${JSON.stringify(content)}\n`, { flag });
  for (let attempt = 0; ; attempt++) {
    try {
      write("wx");
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST" || attempt > 0) throw error;
    }
    const holder = readLock(file);
    if (holder && holder.pid !== pid && alive(holder.pid)) {
      const url = holder.url ?? urlOfServerFile(serverDir) ?? "still starting";
      throw new UsageError(
        `a server is already running for this home (pid ${holder.pid}, ${url}; lock ${file})`,
        "ServerAlreadyRunning",
        `use it, stop it first (kill ${holder.pid}), or start this one with another --home`,
      );
    }
    rmSync(file, { force: true });
  }
  const ours = () => readLock(file)?.pid === pid;
  return {
    file,
    update(url) {
      content.url = url;
      if (ours()) write("w");
    },
    release() {
      if (ours()) rmSync(file, { force: true });
    },
  };
}

function readLock(file: string): LockContent | null {
  try {
    const data = JSON.parse(readFileSync(file, "utf8")) as Partial<LockContent>;
    return typeof data.pid === "number"
      ? { pid: data.pid, url: data.url ?? null, startedAt: data.startedAt ?? "" }
      : null;
  } catch {
    return null;
  }
}

function urlOfServerFile(serverDir: string): string | null {
  try {
    const data = JSON.parse(readFileSync(join(serverDir, "server.json"), "utf8")) as { url?: unknown };
    return typeof data.url === "string" ? data.url : null;
  } catch {
    return null;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
