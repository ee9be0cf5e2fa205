// A short glossary of Dynamics 365 Commerce words, shown by the demo the first time each one appears.

export const GLOSSARY: ReadonlyArray<{ term: string; pattern: RegExp; meaning: string }> = [
  {
    term: "offline database",
    pattern: /offline database/i,
    meaning: "the register's own SQLite copy of products, prices and staff, so it can sell when the server is gone",
  },
  {
    term: "job 9999",
    pattern: /job 9999/i,
    meaning:
      "the distribution schedule that sends every master-data job (1010 customers, 1040 products, …) to a new database",
  },
  {
    term: "session",
    pattern: /\bsessions?\b/i,
    meaning: "one package of changes for one database and one job, downloaded and applied as a whole",
  },
  {
    term: "channel database",
    pattern: /channel database/i,
    meaning: "a store's (or an offline register's) database that HQ fills through distribution sessions",
  },
  {
    term: "operation 917",
    pattern: /operation 917|\b917\b/i,
    meaning: "Disconnect/Connect: the cashier's button that switches the register offline or back online by hand",
  },
  {
    term: "P-0001",
    pattern: /P-0001/,
    meaning: "the upload job that carries the store's transactions from the channel database up to HQ",
  },
];

/** The terms that appear in `text` and are not in `seen` yet (added to it), in glossary order. */
export function newTerms(text: string, seen: Set<string>): Array<{ term: string; meaning: string }> {
  const found: Array<{ term: string; meaning: string }> = [];
  for (const entry of GLOSSARY) {
    if (seen.has(entry.term) || !entry.pattern.test(text)) continue;
    seen.add(entry.term);
    found.push({ term: entry.term, meaning: entry.meaning });
  }
  return found;
}
