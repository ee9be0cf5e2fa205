// The offline database as a DataSource: prices from job 1040, staff from 1060, sales stored as pending upload.
import { parseTransactionId } from "../domain/ids.js";
import { toMajor } from "../domain/money.js";
import { returnedQuantities, returnProblem } from "../domain/returns.js";
import { isOnlineOnly } from "../domain/tenders.js";
import { fromWire, type Transaction, toWire, type WireTransaction } from "../domain/transaction.js";
import { CART_ALREADY_RECALLED, type SuspendedCart, summarizeCart, suspendedCartSchema } from "../lib/api-own-data.js";
import type { Clock } from "../lib/clock.js";
import { OperationError } from "../lib/errors.js";
import { DUMMY_PASSWORD_HASH, verifyPassword } from "../lib/password.js";
import type { OfflineStore } from "../offline/offline-store.js";
import {
  localJournal,
  localReturnCounts,
  localReturnsOf,
  localSuspendedCarts,
  localTransaction,
  recallLocalCart,
  recordSuspendedCart,
} from "../offline/own-data.js";
import type { DownloadJobId } from "../schema/tables.js";
import type { CustomerInfo, DataSource, OfflineReadiness, StaffInfo } from "./data-source.js";

/** D365 blocks a staff id after this many wrong passwords in a row. */
export const MAX_LOGON_FAILURES = 5;

export function createOfflineSource(
  local: OfflineStore,
  registerId: string,
  store: string,
  clock: Clock,
  verify: (plain: string, stored: string) => Promise<boolean> | boolean = verifyPassword,
): DataSource {
  const iso = () => new Date(clock.now()).toISOString();
  return {
    kind: "offline",

    async findProduct(code) {
      return local.findProduct(store, code);
    },

    async searchCustomers(query) {
      return local.searchCustomers(query).map(
        (c): CustomerInfo => ({
          id: c.id,
          name: c.name,
          email: c.email,
          phone: c.phone,
          accountAllowed: c.account_allowed === 1,
          pendingSync: c.pendingSync,
        }),
      );
    },

    async createCustomer(input) {
      const config = local.store(store);
      if (!config?.offline_customer_creation) {
        throw new OperationError(
          "creating customers offline is not allowed for this store",
          "OfflineCustomerCreationNotAllowed",
        );
      }
      return createAsyncCustomer(local, registerId, input, iso());
    },

    async signIn(staffId, password): Promise<StaffInfo> {
      const blocked = () =>
        new OperationError(
          `staff ${staffId} is blocked after ${MAX_LOGON_FAILURES} wrong passwords`,
          "UserBlockedDueToTooManyFailedLogonAttempts",
          "a manager must unblock the staff id at HQ (pos hq staff unblock), then sync job 1060",
        );
      if (local.logonFailures(staffId).blockedAt) throw blocked();
      const staff = local.staff(staffId);
      const mayWorkHere = staff?.stores.includes(store) === true;
      // One scrypt whatever the id: an unknown one is checked against a dummy hash, so timing does not tell ids apart.
      const passwordMatches = await verify(password, mayWorkHere && staff ? staff.passwordHash : DUMMY_PASSWORD_HASH);
      if (!mayWorkHere || !staff || !passwordMatches) {
        const { blocked: nowBlocked } = local.recordLogonFailure(staffId, MAX_LOGON_FAILURES, iso());
        if (nowBlocked) throw blocked();
        throw new OperationError("wrong staff id or password", "InvalidCredentials");
      }
      local.clearLogonFailures(staffId);
      return { id: staff.id, name: staff.name, role: staff.role };
    },

    async commitTransaction(tx: Transaction) {
      // A gift card or account payment exists only at the server: such a sale is never stored offline (its
      // checkout stays in doubt and is sent again once the server answers).
      const onlineOnly = tx.tenders.find((t) => isOnlineOnly(t.kind));
      if (onlineOnly) {
        throw new OperationError(
          `sale ${tx.id} was paid by ${onlineOnly.tender}, which only the server can confirm: it is not stored offline`,
          "NotAvailableOffline",
          "connect (operation 917) when the server answers",
        );
      }
      // A sale in doubt (its online answer was lost) becomes pending here: the same id and content, stored once.
      const existing = local.transaction(tx.id);
      if (existing && existing.status !== "in-doubt") {
        return { id: tx.id, status: existing.status === "pending" ? "pending" : "duplicate" };
      }
      // A return in doubt was already sent as it is: the server's check at upload decides (duplicate or conflict),
      // never the offline database, which may not hold its original (another register's sale returned online).
      if (tx.returnOf !== undefined && !existing) checkReturnOffline(local, registerId, tx);
      local.saveTransaction(toWire(tx), seqOf(tx.id), tx.total, "pending", iso());
      return { id: tx.id, status: "pending" };
    },

    async journal(limit) {
      const decimals = local.store(store)?.decimals ?? 2;
      const rows = localJournal(local.db, limit);
      const returns = localReturnCounts(
        local.db,
        rows.map((r) => r.id),
      );
      return rows.map((r) => ({
        id: r.id,
        createdAt: r.created_at,
        mode: r.mode,
        status: r.status,
        total: toMajor(r.total, decimals),
        lines: (JSON.parse(r.body) as { lines: unknown[] }).lines.length,
        returnOf: r.return_of,
        returns: returns.get(r.id) ?? 0,
      }));
    },

    async returnSource(id) {
      ownSaleOffline(registerId, id);
      const transaction = localTransaction(local.db, id);
      if (!transaction) {
        throw new OperationError(
          `transaction ${id} is not in this register's offline database (never completed here, or purged after the store's days transactions exist)`,
          "TransactionNotFound",
          "connect to the store server (operation 917) and return it online",
        );
      }
      return { transaction, returns: localReturnsOf(local.db, id) };
    },

    async suspendCart(cart) {
      recordSuspendedCart(local.db, {
        id: cart.id,
        kept: "offline",
        staff: cart.staff,
        body: JSON.stringify(cart),
        now: iso(),
      });
      return { id: cart.id, kept: "register" };
    },

    async suspendedCarts() {
      return localSuspendedCarts(local.db).map((r) => summarizeCart(parseCart(r.body), "register"));
    },

    async recallCart(id) {
      const row = recallLocalCart(local.db, id, iso());
      if (row === "recalled") throw new OperationError(`cart ${id} was already recalled`, CART_ALREADY_RECALLED);
      if (!row) {
        throw new OperationError(
          `This operation is not available offline: cart ${id} was not suspended on this register while offline.`,
          "CartNotAvailableOffline",
          "a cart suspended online is kept at the store server: connect (operation 917) and recall it",
        );
      }
      return parseCart(row.body);
    },
  };
}

/** A customer with a temporary id, "Pending sync": uploaded with the next push, created at HQ by its async job. */
export function createAsyncCustomer(
  local: OfflineStore,
  registerId: string,
  input: { name: string; email?: string; phone?: string },
  now: string,
): CustomerInfo {
  const id = local.createOfflineCustomer(registerId, input, now);
  return {
    id,
    name: input.name,
    email: input.email ?? null,
    phone: input.phone ?? null,
    accountAllowed: false,
    pendingSync: true,
  };
}

function parseCart(body: string): SuspendedCart {
  return suspendedCartSchema.parse(JSON.parse(body));
}

/**
 * D365 marks returns "offline: own register's data": a sale made on another register is not in this database, and
 * what was returned of it elsewhere cannot be known, so it is refused with D365's wording.
 */
export function ownSaleOffline(registerId: string, id: string): void {
  const parts = parseTransactionId(id);
  if (parts?.registerId === registerId) return;
  throw new OperationError(
    "This operation is not available offline: the transaction was not made on this register. Connect to the store server and try again.",
    "ReturnNotAvailableOffline",
    `connect (operation 917) when the server answers, then return ${id} online`,
  );
}

/** A return stored offline gives back no more than this register's own records say is left. */
function checkReturnOffline(local: OfflineStore, registerId: string, tx: Transaction): void {
  const originalId = tx.returnOf as string;
  ownSaleOffline(registerId, originalId);
  const decimals = tx.decimals;
  const toTx = (w: WireTransaction): Transaction[] => {
    const c = fromWire(w, decimals);
    return "tx" in c ? [c.tx] : [];
  };
  const original = localTransaction(local.db, originalId);
  const before = localReturnsOf(local.db, originalId)
    .filter((w) => w.id !== tx.id)
    .flatMap(toTx);
  const problem = returnProblem(tx, original ? toTx(original)[0] : undefined, returnedQuantities(before));
  if (problem !== undefined) throw new OperationError(problem, "ValidationFailed");
}

/** What a sale needs offline, checked in D365's order, with the error name and the job that fixes it. */
/** What each job excluded from the offline database takes away from a sale (D365 offline data exclusion). */
const EXCLUDED_NEED: Partial<Record<DownloadJobId, { code: string; what: string }>> = {
  "1040": { code: "ProductsNotAvailableOffline", what: "products and prices" },
  "1060": { code: "LocalLogonFailed", what: "staff for sign-in" },
  "1070": { code: "ChannelConfigurationNotFound", what: "the channel configuration" },
  "1090": { code: "TerminalNotFound", what: "the register and its offline profile" },
};

export function offlineReadiness(
  local: OfflineStore,
  registerId: string,
  store: string,
  excluded: readonly DownloadJobId[] = [],
): OfflineReadiness {
  // Data the profile excludes is not kept up to date offline, even if an older copy is there: a sale needing it
  // cannot go offline. Customers (1010) are not needed to sell.
  for (const job of excluded) {
    const need = EXCLUDED_NEED[job];
    if (!need) continue;
    const profile = local.register(registerId)?.offline_profile_id ?? "the register's offline profile";
    return {
      ok: false,
      code: need.code,
      message: `job ${job} (${need.what}) is excluded from offline databases by offline profile ${profile} (offline data exclusion), and a sale needs it`,
      fix: `remove ${job} from the exclusion: pos hq profile set ${profile} offlineDataExclusion "<jobs without ${job}>", then pos cdx run ${job} and pos sync pull`,
    };
  }
  if (!local.store(store)) {
    return {
      ok: false,
      code: "ChannelConfigurationNotFound",
      message: `the offline database has no channel configuration for store ${store}`,
      fix: "run job 1070 (pos cdx run 1070) and pos sync pull",
    };
  }
  if (!local.register(registerId)) {
    return {
      ok: false,
      code: "TerminalNotFound",
      message: `the offline database does not know register ${registerId}`,
      fix: "run job 1090 (pos cdx run 1090) and pos sync pull",
    };
  }
  if (!local.hasStaff()) {
    return {
      ok: false,
      code: "LocalLogonFailed",
      message: "the offline database has no staff to sign in with",
      fix: "run job 1060 (pos cdx run 1060) and pos sync pull",
    };
  }
  return { ok: true };
}

export function seqOf(id: string): number {
  return Number(id.slice(id.lastIndexOf("-") + 1));
}
