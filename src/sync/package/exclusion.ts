// Offline data exclusion (D365): download jobs an offline profile keeps out of its registers' offline databases.
import { DOWNLOAD_JOB_IDS, type DownloadJobId } from "../../schema/tables.js";

export class ExclusionError extends Error {}

/** `1010,1040` → the jobs; blank or null → none. An unknown job is a mistake, not ignored. */
export function parseExcludedJobs(text: string | null | undefined): DownloadJobId[] {
  if (!text || text.trim() === "") return [];
  const jobs: DownloadJobId[] = [];
  for (const part of text.split(",")) {
    const job = part.trim();
    if (job === "") continue;
    if (!(DOWNLOAD_JOB_IDS as readonly string[]).includes(job))
      throw new ExclusionError(
        `offline data exclusion: "${job}" is not a download job (expected some of ${DOWNLOAD_JOB_IDS.join(", ")}, comma-separated)`,
      );
    if (!jobs.includes(job as DownloadJobId)) jobs.push(job as DownloadJobId);
  }
  return jobs;
}

/** Reads a stored value leniently: a register or a run must not stop on a value written by another version. */
export function excludedJobsOf(text: string | null | undefined): DownloadJobId[] {
  try {
    return parseExcludedJobs(text);
  } catch {
    return [];
  }
}
