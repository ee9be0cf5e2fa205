import { describe, expect, it } from "vitest";
import { editDistance, nearest } from "../../src/lib/suggest.js";

describe("did you mean", () => {
  it.each<[string, string[], string | undefined]>([
    ["mdoe", ["mode", "total", "status"], "mode"],
    ["blakhole", ["none", "refuse", "blackhole", "stall"], "blackhole"],
    ["sael", ["sale", "fault", "wait", "op"], "sale"],
    ["pendingUplaod", ["pendingUpload", "serverHas"], "pendingUpload"],
    ["Mode", ["mode"], "mode"],
    ["tip", ["lines", "pay", "customer"], undefined],
    ["teleport", ["sale", "fault", "wait"], undefined],
    ["mode", ["mode"], undefined],
  ])("%s among %j → %s", (word, candidates, expected) => {
    expect(nearest(word, candidates)).toBe(expected);
  });

  it.each([
    ["mode", "mdoe", 1],
    ["kitten", "sitting", 3],
    ["", "abc", 3],
  ])("distance %s ↔ %s is %i", (a, b, d) => {
    expect(editDistance(a, b)).toBe(d);
  });
});
