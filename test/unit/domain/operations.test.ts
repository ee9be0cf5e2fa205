import { describe, expect, it } from "vitest";
import {
  checkOperation,
  isAvailableOffline,
  OPERATION,
  offlineRefusal,
  operation917Caption,
} from "../../../src/domain/operations.js";

describe("operations", () => {
  it.each([
    ["online", "Disconnect"],
    ["offline", "Connect"],
  ] as const)("operation 917 is captioned %s → %s", (mode, caption) => {
    expect(operation917Caption(mode)).toBe(caption);
  });

  it.each([
    [917, true],
    [100, true],
    [102, true],
    [200, true],
    [201, true],
    [214, false],
    [202, false],
    [512, false],
    [623, false],
    [1055, false],
    [4242, false],
  ])("operation %i available offline: %s", (op, available) => {
    expect(isAvailableOffline(op)).toBe(available);
    expect(checkOperation(op, "online")).toEqual({ allowed: true });
    expect(checkOperation(op, "offline").allowed).toBe(available);
  });

  it.each([
    [OPERATION.payGiftCard, "Gift card payment is not available offline (operation 214)"],
    [OPERATION.payCustomerAccount, "Customer account payment is not available offline (operation 202)"],
    [OPERATION.issueGiftCard, "Issuing a gift card is not available offline (operation 512)"],
    [OPERATION.editCustomer, "Editing a customer is not available offline (operation 623)"],
    [OPERATION.closeShift, "Closing a shift is not available offline (operation 1055)"],
    [4242, "This operation is not available offline (operation 4242)"],
  ])("refusing %i offline says %j and how to get back online", (op, text) => {
    const message = offlineRefusal(op);
    expect(message).toContain(text);
    expect(message).toContain("operation 917");
    expect(checkOperation(op, "offline")).toEqual({ allowed: false, operation: op, message });
  });
});
