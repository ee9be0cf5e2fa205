import { describe, expect, it } from "vitest";
import { parseTransactionId, splitRegisterId, transactionId } from "../../../src/domain/ids.js";
import { wireTransactionSchema } from "../../../src/domain/transaction.js";

describe("transaction ids", () => {
  it.each([
    ["SEA01-R1", 42, "SEA01-R1-000042"],
    ["SEA01-R1", 1, "SEA01-R1-000001"],
    ["TYO01-R1", 999_999, "TYO01-R1-999999"],
    ["SEA01-R2", 1_234_567, "SEA01-R2-1234567"],
    ["SEA01-R1", 0, "SEA01-R1-000000"],
  ])("transactionId(%s, %i) = %s and parses back", (registerId, seq, id) => {
    expect(transactionId(registerId, seq)).toBe(id);
    const [store, register] = registerId.split("-");
    expect(parseTransactionId(id)).toEqual({ store, register, registerId, seq });
  });

  it("makes ids the wire schema accepts", () => {
    const pattern = wireTransactionSchema.shape.id;
    expect(pattern.safeParse(transactionId("SEA01-R1", 7)).success).toBe(true);
  });

  it.each<[string, number]>([
    ["SEA01", 1],
    ["SEA01-R1-X", 1],
    ["SEA01_R1", 1],
    ["", 1],
    ["SEA01-R1", -1],
    ["SEA01-R1", 1.5],
    ["SEA01-R1", Number.NaN],
  ])("transactionId(%j, %d) throws RangeError", (registerId, seq) => {
    expect(() => transactionId(registerId, seq)).toThrow(RangeError);
  });

  it.each([
    "SEA01-R1-42",
    "SEA01-R1-0001000",
    "SEA01-000042",
    "SEA01-R1-00004a",
    "SEA01_R1-000001",
    "SEA01-R1-000042 ",
    "-R1-000001",
    "",
  ])("parseTransactionId(%j) is undefined (not exactly what transactionId makes)", (id) => {
    expect(parseTransactionId(id)).toBeUndefined();
  });

  it.each([
    ["SEA01-R1", { store: "SEA01", register: "R1" }],
    ["TYO01-R1", { store: "TYO01", register: "R1" }],
    ["SEA01", undefined],
    ["SEA01-R1-X", undefined],
  ])("splitRegisterId(%s)", (registerId, parts) => {
    expect(splitRegisterId(registerId)).toEqual(parts);
  });
});
