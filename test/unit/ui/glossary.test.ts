import { describe, expect, it } from "vitest";
import { newTerms } from "../../../src/ui/glossary.js";

describe("glossary", () => {
  it("names each term the first time only, in glossary order", () => {
    const seen = new Set<string>();
    expect(
      newTerms("Run the distribution schedule (job 9999) for the channel database", seen).map((t) => t.term),
    ).toEqual(["job 9999", "channel database"]);
    expect(newTerms("job 9999 again, and 5 sessions", seen).map((t) => t.term)).toEqual(["session"]);
    expect(newTerms("reconnect with operation 917 (Connect)", seen).map((t) => t.term)).toEqual(["operation 917"]);
    expect(newTerms("nothing new: 917, job 9999", seen)).toEqual([]);
  });
});
