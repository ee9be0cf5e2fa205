// Loads the sample company (one `<table>.json` per master-data table) and checks every row against tables.ts.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type Row, TABLE_NAMES, TABLES, type TableDef, type TableName, toRowValue } from "../schema/tables.js";
import { UsageError } from "./errors.js";

export type FixtureData = Record<TableName, Row[]>;

/** `<repo>/fixtures`: the same relative step from src/lib (tsx, tests) and dist/lib (built CLI). */
export function defaultFixturesDir(): string {
  return fileURLToPath(new URL("../../fixtures/", import.meta.url));
}

export function fixtureFile(dir: string, table: TableName): string {
  return join(dir, `${table}.json`);
}

/**
 * Reads every table's file. Booleans become 0/1 and arrays JSON text (toRowValue); a missing file, a
 * row with a missing, unknown or mistyped field, or a repeated key throws UsageError naming file, row and field.
 */
export function loadFixtures(dir: string): FixtureData {
  const data = {} as FixtureData;
  for (const table of TABLE_NAMES) data[table] = loadTable(fixtureFile(dir, table), TABLES[table]);
  return data;
}

export function loadTable(file: string, def: TableDef): Row[] {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === "ENOENT" ? "missing" : (error as Error).message;
    throw new UsageError(`${file}: ${reason} (fixtures need one <table>.json for each of ${TABLE_NAMES.join(", ")})`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${file}: not valid JSON: ${(error as Error).message}`);
  }
  if (!Array.isArray(parsed)) throw new UsageError(`${file}: expected a JSON array of ${def.name} rows`);
  const columns = Object.keys(def.columns);
  const nullable = new Set(def.nullable ?? []);
  const seen = createKeySet(def.key);
  // Rows are normalised in place: a million-product catalog should not exist twice in memory.
  for (let index = 0; index < parsed.length; index++) {
    const row: unknown = parsed[index];
    if (typeof row !== "object" || row === null || Array.isArray(row))
      throw new UsageError(`${file}: row ${index}: expected an object`);
    const record = row as Record<string, unknown>;
    for (const field of Object.keys(record)) {
      if (!(field in def.columns)) {
        throw new UsageError(`${file}: row ${index}: unknown field "${field}" (${def.name} has ${columns.join(", ")})`);
      }
    }
    for (const column of columns) {
      // A nullable column added after the first release may be left out (off): older fixture files still load.
      if (!(column in record) && nullable.has(column)) record[column] = null;
      if (!(column in record)) throw new UsageError(`${file}: row ${index}: missing field "${column}"`);
      const value = record[column];
      const problem = checkValue(value, def.columns[column] ?? "TEXT", nullable.has(column));
      if (problem)
        throw new UsageError(`${file}: row ${index}: field "${column}": ${problem}, got ${JSON.stringify(value)}`);
      record[column] = toRowValue(value);
    }
    if (!seen.add(record)) {
      const first = parsed.findIndex((other) =>
        def.key.every((k) => (other as Record<string, unknown>)[k] === record[k]),
      );
      const shown = def.key.map((k) => `${k}=${String(record[k])}`).join(", ");
      throw new UsageError(`${file}: row ${index}: duplicate key (${shown}), first at row ${first}`);
    }
  }
  return parsed as Row[];
}

/**
 * Remembers primary keys; `add` is false for a key seen before. Two-column keys (prices, tax groups,
 * tenders) nest a Set per first value, which for millions of rows beats building a joined string per row.
 */
function createKeySet(key: readonly string[]): { add(row: Record<string, unknown>): boolean } {
  const [first, second] = key;
  const addTo = (set: Set<unknown>, value: unknown) => set.size !== set.add(value).size;
  if (first === undefined) throw new Error("a table needs a primary key");
  if (key.length > 2 || second === undefined) {
    const seen = new Set<unknown>();
    const one = key.length === 1;
    return { add: (row) => addTo(seen, one ? row[first] : key.map((k) => String(row[k])).join("\u0000")) };
  }
  const seen = new Map<unknown, Set<unknown>>();
  return {
    add: (row) => {
      const inner = seen.get(row[first]) ?? new Set<unknown>();
      if (inner.size === 0) seen.set(row[first], inner);
      return addTo(inner, row[second]);
    },
  };
}

function checkValue(value: unknown, type: string, nullable: boolean): string | undefined {
  if (value === null) return nullable ? undefined : "may not be null";
  switch (type) {
    case "INTEGER":
      return typeof value === "boolean" || Number.isSafeInteger(value)
        ? undefined
        : "expected a whole number or boolean";
    case "REAL":
      return typeof value === "number" && Number.isFinite(value) ? undefined : "expected a number";
    default:
      // Arrays are allowed where a column holds JSON text (staff stores and permissions).
      return typeof value === "string" || Array.isArray(value) ? undefined : "expected a string";
  }
}
