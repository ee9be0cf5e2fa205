import { describe, expect, it } from "vitest";
import { ean13CheckDigit, isValidEan13, makeEan13 } from "../../../src/domain/ean13.js";

describe("EAN-13", () => {
  it.each([
    ["400638133393", 1],
    ["590123412345", 7],
    ["978030640615", 7],
    ["200000001001", 4],
    ["000000000000", 0],
  ])("check digit of %s is %i", (first12, digit) => {
    expect(ean13CheckDigit(first12)).toBe(digit);
    expect(makeEan13(first12)).toBe(`${first12}${digit}`);
  });

  it.each([
    ["4006381333931", true],
    ["5901234123457", true],
    ["9780306406157", true],
    ["2000000010014", true],
    ["4006381333932", false],
    ["5901234123458", false],
    ["400638133393", false],
    ["40063813339310", false],
    ["400638133393a", false],
    [" 4006381333931", false],
    ["", false],
  ])("isValidEan13(%j) = %s", (code, valid) => {
    expect(isValidEan13(code)).toBe(valid);
  });

  it.each(["12345", "4006381333931", "40063813339a"])("refuses to compute a check digit for %j", (bad) => {
    expect(() => ean13CheckDigit(bad)).toThrow(/12 digits/);
  });
});
