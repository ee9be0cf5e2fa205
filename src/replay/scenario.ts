// What a replay runs (SPEC §7): the scenario and sales-journal schemas and the parsed step types the runner executes.
import { z } from "zod";
import { type FaultSpec, parseFault, toFaultList, toFaultSpec } from "../faults/fault-spec.js";
import { parseDuration } from "../lib/clock.js";
import { didYouMean } from "../lib/suggest.js";
import type { ProfileSettings } from "../register/profile.js";
import { parseExcludedJobs } from "../sync/package/exclusion.js";
import type { OwnDataStep } from "./own-data-steps.js";

export type ModeExpectation = "online" | "offline" | "offline-auto" | "offline-manual";
export type SyncResult = "ok" | "failed" | "nothing";
export const OPS = ["917", "connect", "disconnect", "sync pull", "sync push", "cdx run <job> [--full]"] as const;
/** `cdx run 1040 --full`: HQ runs a distribution job for this register's offline database (then `sync pull` fetches it). */
export type CdxRunOp = `cdx run ${string}`;
export type ReplayOp = Exclude<(typeof OPS)[number], "cdx run <job> [--full]"> | CdxRunOp;
const CDX_RUN = /^cdx run (\d{4})( --full)?$/;

/** The job and whether it is a full package, for a `cdx run` op. */
export function cdxRunOf(op: CdxRunOp): { job: string; full: boolean } {
  const match = CDX_RUN.exec(op);
  return { job: match?.[1] ?? "", full: match?.[2] !== undefined };
}

const WHOLE_POSITIVE = "expected a whole number > 0";
const WHOLE_COUNT = "expected a whole number ≥ 0";

const count = z.number({ error: WHOLE_COUNT }).int({ error: WHOLE_COUNT }).min(0, { error: WHOLE_COUNT });
const text = (what: string) => z.string({ error: `expected ${what} (text)` }).min(1, { error: `expected ${what}` });
const mode = z.enum(["online", "offline", "offline-auto", "offline-manual"], {
  error: "expected online, offline, offline-auto or offline-manual",
});
const money = z.number({ error: "expected an amount in major units, e.g. 31.96" }).min(0, { error: "expected ≥ 0" });
const errorCode = text("an error code, e.g. UserBlockedDueToTooManyFailedLogonAttempts");

/** Item ids may be written unquoted in YAML (`item: 1001`); a number keeps its digits as the id. */
const itemCode = z.union([z.string().min(1, { error: "expected an item id" }), z.number().int().nonnegative()], {
  error: 'expected an item id, e.g. "1001"',
});
/** An unquoted barcode loses leading zeros in YAML; EAN-13 restores them. */
const barcode = z.union([z.string().regex(/^\d{8,14}$/), z.number().int().nonnegative()], {
  error: 'expected a barcode of digits, e.g. "4006381333931"',
});

/** A fault as a step or a scheduled fault carries it: `http 503`, or `{fault: "http 503", times: 2, path: …}`. */
export const faultSchema = z.unknown().transform((input, ctx): FaultSpec => {
  try {
    return toFaultSpec(input);
  } catch (error) {
    ctx.addIssue({ code: "custom", message: (error as Error).message });
    return z.NEVER;
  }
});

/** A `fault:` step: one fault, or a list of them stacked (`[latency 300 jitter=100, "reset probability=0.02"]`). */
export const faultListSchema = z.unknown().transform((input, ctx): FaultSpec[] => {
  try {
    return toFaultList(input);
  } catch (error) {
    ctx.addIssue({ code: "custom", message: (error as Error).message });
    return z.NEVER;
  }
});

/** Seeds the fault proxy's draws (probability, jitter). */
export const seedSchema = z
  .number({ error: "expected a whole number 0..4294967295" })
  .int({ error: "expected a whole number 0..4294967295" })
  .min(0, { error: "expected a whole number 0..4294967295" })
  .max(0xffffffff, { error: "expected a whole number 0..4294967295" });

const faultFields = {
  fault: z.string({ error: 'expected fault text, e.g. "blackhole" or "http 503"' }).superRefine((value, ctx) => {
    try {
      parseFault(value);
    } catch (error) {
      ctx.addIssue({ code: "custom", message: (error as Error).message });
    }
  }),
  times: z
    .number({ error: WHOLE_POSITIVE })
    .int({ error: WHOLE_POSITIVE })
    .positive({ error: WHOLE_POSITIVE })
    .optional(),
  path: z
    .string({ error: "expected a path such as /v1/transactions" })
    .startsWith("/", { error: "expected a path starting with /" })
    .optional(),
};

export const lineSchema = z
  .strictObject({
    item: itemCode.optional(),
    barcode: barcode.optional(),
    qty: z
      .number({ error: WHOLE_POSITIVE })
      .int({ error: WHOLE_POSITIVE })
      .min(1, { error: WHOLE_POSITIVE })
      .max(9999, { error: "expected at most 9999" })
      .optional(),
    discount: z
      .number({ error: "expected a percent from 0 to 100" })
      .min(0, { error: "expected a percent from 0 to 100" })
      .max(100, { error: "expected a percent from 0 to 100" })
      .refine((v) => Number.isInteger(Math.round(v * 100)) && Math.abs(v * 100 - Math.round(v * 100)) < 1e-9, {
        error: "expected at most two decimals",
      })
      .optional(),
    void: z.boolean({ error: "expected true or false" }).optional(),
  })
  .superRefine((line, ctx) => {
    if (line.item === undefined && line.barcode === undefined)
      ctx.addIssue({ code: "custom", message: "needs item or barcode" });
    if (line.item !== undefined && line.barcode !== undefined)
      ctx.addIssue({ code: "custom", message: "give item or barcode, not both" });
  });

export const tenderSchema = z.strictObject({
  tender: text("a tender id, e.g. cash or card"),
  amount: z
    .union(
      [
        z.number().positive({ error: "expected a positive amount in major units, e.g. 50" }),
        z.string().regex(/^\d+(\.\d+)?$/),
      ],
      {
        error: "expected a positive amount in major units, e.g. 50",
      },
    )
    .optional(),
});

const saleExpectSchema = z.strictObject({
  mode: mode.optional(),
  total: money.optional(),
  status: z.enum(["stored", "pending", "duplicate"], { error: "expected stored, pending or duplicate" }).optional(),
  lines: count.optional(),
  change: money.optional(),
  error: errorCode.optional(),
  /** Text the connection state's reason contains (why the register is offline), e.g. "server slow". */
  reason: text("part of the offline reason").optional(),
  /** The customer on the sale (a temporary TMP-… id when created offline). */
  customer: text("a customer id").optional(),
  pendingSync: z.boolean({ error: "expected true or false" }).optional(),
});

const checkoutWord = z.literal("checkout", { error: 'expected {line: n} or "checkout"' });
const scheduledFaultSchema = z
  .strictObject({
    line: z
      .number({ error: WHOLE_POSITIVE })
      .int({ error: WHOLE_POSITIVE })
      .min(1, { error: WHOLE_POSITIVE })
      .optional(),
    checkout: z.literal(true, { error: "expected true" }).optional(),
    ...faultFields,
  })
  .superRefine((at, ctx) => {
    if ((at.line === undefined) === (at.checkout === undefined))
      ctx.addIssue({ code: "custom", message: "give line: n or checkout: true (one of them)" });
  });

/** The `sale:` object; also one line of a sales journal. */
export const saleSchema = z
  .strictObject({
    lines: z
      .array(lineSchema, { error: "expected a list of lines" })
      .min(1, { error: "a sale needs at least one line" }),
    customer: z.union([z.string().min(1), z.number().int()], { error: "expected a customer id" }).optional(),
    /** Operation 612 during the sale: a new customer (offline: a temporary id, Pending sync) put on the sale. */
    newCustomer: z
      .strictObject({
        name: text("the customer's name"),
        email: text("an e-mail address").optional(),
        phone: text("a phone number").optional(),
      })
      .optional(),
    pay: z
      .array(tenderSchema, { error: "expected a list of tenders, e.g. [{tender: card}]" })
      .min(1, { error: "a sale needs at least one tender" }),
    expect: saleExpectSchema.optional(),
    /** A list of faults scheduled inside the sale, or (in a journal) when the sale was made. */
    at: z
      .union([z.iso.datetime({ offset: true, error: "expected an ISO time" }), z.array(scheduledFaultSchema)], {
        error: "expected a list of {line: n, fault: …} (or, in a journal, the ISO time of the sale)",
      })
      .optional(),
    fault: z
      .strictObject({
        ...faultFields,
        at: z.union([z.strictObject({ line: z.number().int().min(1, { error: WHOLE_POSITIVE }) }), checkoutWord]),
      })
      .optional(),
    /** The transaction id the journal recorded (the report names the case after it). */
    ref: text("a transaction id").optional(),
  })
  .superRefine((sale, ctx) => {
    const max = sale.lines.length;
    const check = (line: number | undefined, path: PropertyKey[]) => {
      if (line !== undefined && line > max)
        ctx.addIssue({ code: "custom", path, message: `line ${line} is past the sale's ${max} line(s)` });
    };
    if (Array.isArray(sale.at)) for (const [i, a] of sale.at.entries()) check(a.line, ["at", i, "line"]);
    if (sale.fault && typeof sale.fault.at === "object") check(sale.fault.at.line, ["fault", "at", "line"]);
  });
export type SaleInput = z.infer<typeof saleSchema>;

export const stateExpectSchema = z.strictObject({
  mode: mode.optional(),
  pendingUpload: count.optional(),
  serverHas: count.optional(),
  conflicts: count.optional(),
  sales: count.optional(),
  total: money.optional(),
  lastSync: z.enum(["ok", "failed", "nothing"], { error: "expected ok, failed or nothing" }).optional(),
  /** Requests the fault proxy applied a fault to so far (every kind, each fault counted). */
  faultsInjected: count.optional(),
  reason: text("part of the offline reason").optional(),
  /** Customers created offline on this register still waiting for their real id (shown as Pending sync). */
  pendingCustomers: count.optional(),
  /** The customer id the register's last sale of this run carries now (re-pointed once the real id arrived). */
  lastSaleCustomer: text("a customer id").optional(),
});
export type StateExpect = z.infer<typeof stateExpectSchema>;

export const opExpectSchema = z.strictObject({
  mode: mode.optional(),
  error: errorCode.optional(),
  result: z.enum(["ok", "failed", "nothing"], { error: "expected ok, failed or nothing" }).optional(),
  uploaded: count.optional(),
  duplicates: count.optional(),
  applied: count.optional(),
  /** Package downloads that broke part-way and were resumed (sync pull). */
  resumed: count.optional(),
});
export type OpExpect = z.infer<typeof opExpectSchema>;

export const staffSchema = z.strictObject({
  id: z.string({ error: 'expected a staff id as text (quote it: "000160")' }).min(1),
  password: z.string({ error: "expected a password as text (quote it)" }),
});
/** A `signin:` step; `offline: true` is the sign-in screen's switch to offline. */
export const signinSchema = staffSchema.extend({ offline: z.boolean({ error: "expected true or false" }).optional() });

/** Profile overrides in SPEC §2 units; a duration string ("300ms", "2m") is converted to the field's unit. */
const seconds = inUnit(1000);
const minutes = inUnit(60_000);
export const profileSchema = z.strictObject({
  timeoutInterval: seconds.refine((v) => v > 0, { error: "expected more than 0 seconds" }).optional(),
  reconnectInterval: minutes.optional(),
  allowManualOfflineBeforeSignIn: z.boolean({ error: "expected true or false" }).optional(),
  advancedOfflineSwitching: z.boolean({ error: "expected true or false" }).optional(),
  healthCheckInterval: minutes.optional(),
  downloadInterval: seconds.optional(),
  uploadInterval: seconds.optional(),
  slowResponseThreshold: inUnit(1).optional(),
  slowResponseCount: count.optional(),
  /** Offline data exclusion as the register sees it, e.g. "1040" (comma-separated jobs). */
  offlineDataExclusion: z
    .string({ error: 'expected download jobs, e.g. "1010,1040"' })
    .transform((value, ctx) => {
      try {
        return parseExcludedJobs(value);
      } catch (error) {
        ctx.addIssue({ code: "custom", message: (error as Error).message });
        return z.NEVER;
      }
    })
    .optional(),
});

function inUnit(unitMs: number) {
  return z
    .union([z.number().min(0), z.string()], { error: "expected a number or a duration such as 30s" })
    .transform((value, ctx) => {
      if (typeof value === "number") return value;
      const ms = parseDuration(value);
      if (ms === undefined) {
        ctx.addIssue({ code: "custom", message: `expected a duration such as 300ms, 30s or 2m, got "${value}"` });
        return z.NEVER;
      }
      return ms / unitMs;
    });
}

export const durationSchema = z
  .union([z.string(), z.number().min(0)], { error: "expected a duration such as 2m, 30s or 24h" })
  .transform((value, ctx) => {
    const ms = parseDuration(value);
    if (ms === undefined) {
      ctx.addIssue({ code: "custom", message: `expected a duration such as 2m, 30s or 24h, got "${value}"` });
      return z.NEVER;
    }
    return ms;
  });

export const opSchema = z
  .union([z.literal(917), z.string()], { error: 'expected 917, connect, disconnect, "sync pull" or "sync push"' })
  .transform((value, ctx): ReplayOp => {
    const op = String(value).trim().replace(/\s+/g, " ").toLowerCase();
    if ((OPS as readonly string[]).includes(op) || CDX_RUN.test(op)) return op as ReplayOp;
    ctx.addIssue({
      code: "custom",
      message: `unknown op "${value}"${didYouMean(op, OPS)} (expected ${OPS.join(", ")})`,
    });
    return z.NEVER;
  });

export const headerSchema = z.strictObject({
  name: z.string().optional(),
  register: z.string({ error: "expected a register id, e.g. SEA01-R1" }).regex(/^[A-Za-z0-9]+-[A-Za-z0-9]+$/, {
    error: "expected <store>-<register>, e.g. SEA01-R1",
  }),
  staff: staffSchema,
  profile: profileSchema.optional(),
  seed: seedSchema.optional(),
  /**
   * true: the register syncs in the background every downloadInterval/uploadInterval of virtual time (as a running
   * `pos sale` does), so a `wait:` lets scheduled distribution reach it with no sync step.
   */
  backgroundSync: z.boolean({ error: "expected true or false" }).optional(),
  /** false: the run starts signed out (a `signin:` step signs in), e.g. to try operation 917 before sign-in. */
  signIn: z.boolean({ error: "expected true or false" }).optional(),
  steps: z.array(z.unknown(), { error: "expected a list of steps" }).min(1, { error: "expected at least one step" }),
});

/** A master-data change at HQ during a run (what `pos hq` does), e.g. a new price a schedule then distributes. */
export const hqChangeSchema = z
  .strictObject({
    price: z
      .strictObject({
        item: itemCode.transform(String),
        amount: money,
        /** Default: the register's store. */
        store: text("a store id").optional(),
      })
      .optional(),
    /** HQ's "synchronize customers from async mode" job (customers created offline become real customers). */
    syncCustomers: z.literal(true, { error: "expected true" }).optional(),
  })
  .refine((c) => (c.price === undefined) !== (c.syncCustomers === undefined), {
    message: "give price: {item, amount} or syncCustomers: true (one of them)",
  });
export type HqChange = z.infer<typeof hqChangeSchema>;

export type ProfileOverrides = z.infer<typeof profileSchema>;

/** Where a fault inside a sale applies: before the lookup of a line (1-based), or before the checkout. */
export interface ScheduledFault {
  before: number | "checkout";
  fault: FaultSpec;
}

export interface SaleLine {
  /** What the cashier types: the item id or the barcode. */
  code: string;
  qty: number;
  discount?: number;
  void?: boolean;
}

export interface SaleStep {
  lines: SaleLine[];
  customer?: string;
  newCustomer?: { name: string; email?: string; phone?: string };
  pay: Array<{ tender: string; amount?: number | string }>;
  expect?: z.infer<typeof saleExpectSchema>;
  faults: ScheduledFault[];
  ref?: string;
  recordedAt?: string;
}

interface StepBase {
  /** 1-based position in the scenario (or the journal line). */
  number: number;
  /** Line in the file, when known. */
  line?: number;
  name?: string;
}

export type Step = StepBase &
  (
    | { kind: "sale"; sale: SaleStep }
    | { kind: "fault"; faults: FaultSpec[] }
    | { kind: "wait"; ms: number; text: string }
    | { kind: "op"; op: ReplayOp; expect?: OpExpect }
    | { kind: "signin"; staff: { id: string; password: string; offline?: boolean }; expect?: OpExpect }
    | { kind: "expect"; expect: StateExpect }
    | { kind: "hq"; hq: HqChange; expect?: OpExpect }
    | OwnDataStep
  );

export interface Scenario {
  file: string;
  source: "scenario" | "journal";
  name: string;
  register: string;
  staff: { id: string; password: string };
  profile: Partial<ProfileSettings>;
  /** Seeds the fault proxy's draws; absent: the replay's default seed. */
  seed?: number;
  /** Sign in at set-up (default); false starts signed out. */
  signIn: boolean;
  backgroundSync: boolean;
  steps: Step[];
}
