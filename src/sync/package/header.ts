// Validation of a package header (line 1); kept apart from line validation so the reader thread never loads zod.
import { z } from "zod";
import { formatPath } from "../../lib/errors.js";
import { TABLE_NAMES, type TableName } from "../../schema/tables.js";
import {
  jobTables,
  lineOption,
  notInJob,
  PACKAGE_FORMAT,
  PackageError,
  type PackageHeader,
  parseJson,
} from "./format.js";

const headerSchema = z
  .object({
    format: z.literal(PACKAGE_FORMAT),
    session: z.number().int().nonnegative(),
    job: z.string().min(1),
    database: z.string().min(1),
    full: z.boolean(),
    fromVersion: z.number().int().nonnegative(),
    toVersion: z.number().int().nonnegative(),
    rows: z.partialRecord(z.enum(TABLE_NAMES), z.number().int().nonnegative()),
  })
  .refine((h) => h.toVersion >= h.fromVersion, { message: "toVersion is before fromVersion", path: ["toVersion"] });

/** Validates header fields: the writer's input, or line 1 of a package (then `line` is 1). */
export function checkHeader(value: unknown, line?: number): PackageHeader {
  const parsed = headerSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue ? formatPath(issue.path) : "(root)";
    throw new PackageError("header", `header: ${field}: ${issue?.message ?? "invalid"}`, lineOption(line));
  }
  const header = parsed.data as PackageHeader;
  const allowed = jobTables(header.job);
  for (const table of Object.keys(header.rows) as TableName[]) {
    if (!allowed.includes(table)) {
      throw new PackageError("header", `header: rows.${table}: ${notInJob(table, header.job)}`, lineOption(line));
    }
  }
  return header;
}

export function parseHeaderLine(text: string): PackageHeader {
  return checkHeader(parseJson(text, 1), 1);
}
