// POS operations by their D365 number, and which of them a register may run while offline.

export type ConnectionMode = "online" | "offline";

export interface Operation {
  id: number;
  name: string;
  availableOffline: boolean;
  /** What the cashier reads when the operation is refused offline. */
  offlineMessage?: string;
}

/** Operation 917: the Disconnect/Connect button, available on every screen and offline. */
export const DATABASE_CONNECTION_STATUS = 917;

// Numbers and offline availability follow D365's "POS operations" list; only operations the emulator implements.
const LIST: readonly Operation[] = [
  { id: 100, name: "Product sale", availableOffline: true },
  { id: 102, name: "Void product", availableOffline: true },
  { id: 200, name: "Pay cash", availableOffline: true },
  { id: 201, name: "Pay card", availableOffline: true },
  {
    id: 202,
    name: "Pay customer account",
    availableOffline: false,
    offlineMessage: "Customer account payment is not available offline",
  },
  {
    id: 214,
    name: "Pay gift card",
    availableOffline: false,
    offlineMessage: "Gift card payment is not available offline",
  },
  { id: 301, name: "Line discount percent", availableOffline: true },
  {
    id: 512,
    name: "Issue gift card",
    availableOffline: false,
    offlineMessage: "Issuing a gift card is not available offline",
  },
  {
    id: 623,
    name: "Edit customer",
    availableOffline: false,
    offlineMessage: "Editing a customer is not available offline",
  },
  { id: DATABASE_CONNECTION_STATUS, name: "Database connection status", availableOffline: true },
  {
    id: 1055,
    name: "Close shift",
    availableOffline: false,
    offlineMessage: "Closing a shift is not available offline",
  },
];

export const OPERATIONS: ReadonlyMap<number, Operation> = new Map(LIST.map((op) => [op.id, op]));

export const OPERATION = {
  productSale: 100,
  voidProduct: 102,
  payCash: 200,
  payCard: 201,
  payCustomerAccount: 202,
  payGiftCard: 214,
  lineDiscountPercent: 301,
  issueGiftCard: 512,
  editCustomer: 623,
  databaseConnectionStatus: DATABASE_CONNECTION_STATUS,
  closeShift: 1055,
} as const;

/** The button caption follows the mode: it offers the switch to the other one. */
export function operation917Caption(mode: ConnectionMode): "Disconnect" | "Connect" {
  return mode === "online" ? "Disconnect" : "Connect";
}

/** Operations this table does not know are treated as online-only: refusing is safer than a half-done offline step. */
export function isAvailableOffline(op: number): boolean {
  return OPERATIONS.get(op)?.availableOffline ?? false;
}

/** The cashier's message for an operation refused offline, naming the operation and the way back online. */
export function offlineRefusal(op: number): string {
  const known = OPERATIONS.get(op);
  const what = known?.offlineMessage ?? `${known?.name ?? "This operation"} is not available offline`;
  return `${what} (operation ${op}). The sale is kept; connect again (operation ${DATABASE_CONNECTION_STATUS}) when the server is back.`;
}

export type OperationCheck = { allowed: true } | { allowed: false; operation: number; message: string };

export function checkOperation(op: number, mode: ConnectionMode): OperationCheck {
  if (mode === "online" || isAvailableOffline(op)) return { allowed: true };
  return { allowed: false, operation: op, message: offlineRefusal(op) };
}
