import { Chalk } from "chalk";
import { describe, expect, it } from "vitest";
import { addLine, emptyCart, setLineDiscount, toTransaction, voidLine } from "../../../src/domain/cart.js";
import type { RegisterStatus } from "../../../src/register/status.js";
import { renderCart } from "../../../src/ui/cart.js";
import { renderConnectionStatus } from "../../../src/ui/connection-status.js";
import { stripAnsi } from "../../../src/ui/format.js";
import { type HeaderData, renderHeader } from "../../../src/ui/header.js";
import { renderReceipt } from "../../../src/ui/receipt.js";
import { renderSaleHelp } from "../../../src/ui/sale-help.js";

const plain = new Chalk({ level: 0 });
const colored = new Chalk({ level: 1 });
const ESC = "\u001b[";

const mug = {
  id: "1001",
  name: "Ceramic coffee mug, 12 oz",
  taxGroup: "standard",
  taxRatePpm: 103_500,
  unitPrice: 999,
};
const pens = {
  id: "1002",
  name: "Highlighter pens, 4 colours",
  taxGroup: "standard",
  taxRatePpm: 103_500,
  unitPrice: 898,
};
const tote = { id: "1003", name: "Canvas tote bag", taxGroup: "standard", taxRatePpm: 103_500, unitPrice: 1499 };

/** SPEC's Seattle example: 2 × 1001 + 1002 = 31.96. */
function seattleCart() {
  return addLine(addLine(emptyCart(), mug, 2), pens);
}

const header: HeaderData = {
  register: "SEA01-R1",
  store: "SEA01",
  storeName: "Seattle",
  staff: { id: "000160", name: "Alex Kim" },
  mode: "online",
  pending: 0,
  lastSync: null,
  button: "Disconnect",
};

describe("renderHeader", () => {
  it("shows register, store, staff and ONLINE", () => {
    const text = renderHeader(header, plain);
    expect(text).toContain("register SEA01-R1");
    expect(text).toContain("store Seattle (SEA01)");
    expect(text).toContain("staff Alex Kim (000160)");
    expect(text).toContain("ONLINE");
    expect(text).toContain("pending uploads 0");
    expect(text).toContain("last sync never");
    expect(text).toContain("917: Disconnect");
    expect(text).not.toContain(ESC);
  });

  it("shows OFFLINE (manual), pending uploads and the last sync with its age", () => {
    const text = renderHeader(
      {
        ...header,
        mode: "offline-manual",
        pending: 3,
        lastSync: { kind: "upload", result: "failed", ageMs: 125_000 },
        button: "Connect",
      },
      plain,
    );
    expect(text).toContain("OFFLINE (manual)");
    expect(text).not.toContain("ONLINE");
    expect(text).toContain("pending uploads 3");
    expect(text).toContain("last sync upload failed, 2m 5s ago");
    expect(text).toContain("917: Connect");
  });

  it("colours the mode when colour is on, and says who is not signed in", () => {
    const text = renderHeader({ ...header, staff: null, mode: "offline-auto" }, colored);
    expect(text).toContain(`${ESC}33m`);
    expect(stripAnsi(text)).toContain("OFFLINE (auto)");
    expect(stripAnsi(text)).toContain("staff not signed in");
  });
});

describe("renderCart", () => {
  it("lists lines with totals aligned under the amount column", () => {
    const cart = seattleCart();
    const text = renderCart(
      {
        lines: cart.lines,
        customer: null,
        totals: { subtotal: 2896, tax: 300, total: 3196 },
        currency: "USD",
        decimals: 2,
      },
      plain,
    );
    const lines = text.split("\n");
    expect(lines[0]).toMatch(/^\s+#\s+item\s+name\s+qty\s+price\s+disc\s+amount$/);
    expect(lines[1]).toMatch(/1\s+1001\s+Ceramic coffee mug, 12 oz\s+2\s+9\.99\s+19\.98$/);
    expect(lines[2]).toMatch(/2\s+1002\s+Highlighter pens, 4 colours\s+1\s+8\.98\s+8\.98$/);
    const amountEnd = lines[1]?.length;
    const total = lines.find((l) => l.includes("total") && !l.includes("subtotal")) ?? "";
    expect(total).toContain("31.96 USD");
    expect(total.indexOf("31.96") + "31.96".length).toBe(amountEnd);
    expect(lines.find((l) => l.includes("subtotal"))?.length).toBe(amountEnd);
  });

  it("says so when the cart is empty", () => {
    const text = renderCart(
      { lines: [], customer: null, totals: { subtotal: 0, tax: 0, total: 0 }, currency: "USD", decimals: 2 },
      plain,
    );
    expect(text).toContain("the cart is empty");
  });

  it("shows payments so far and what is still due", () => {
    const cart = seattleCart();
    const text = renderCart(
      {
        lines: cart.lines,
        customer: { id: "C0001", name: "Pat Doe" },
        totals: { subtotal: 2896, tax: 300, total: 3196 },
        currency: "USD",
        decimals: 2,
        tenders: [{ tender: "card", kind: "card", amount: 1000, change: 0 }],
        remaining: 2196,
      },
      plain,
    );
    expect(text).toMatch(/paid card\s+10\.00/);
    expect(text).toMatch(/still due\s+21\.96/);
    expect(text).toContain("Pat Doe (C0001)");
  });
});

describe("renderReceipt", () => {
  const meta = {
    id: "SEA01-R1-000042",
    store: "SEA01",
    register: "SEA01-R1",
    staff: "000160",
    currency: "USD",
    decimals: 2,
    createdAt: "2026-01-01T10:00:00.000Z",
    mode: "online" as const,
  };

  it("prints id, lines, totals, tenders, change and that the server stored it", () => {
    const cart = seattleCart();
    const tx = toTransaction(cart, [{ tender: "cash", kind: "cash", amount: 3196, change: 1804 }], meta);
    const text = renderReceipt({ transaction: tx, status: "stored", change: 1804 }, plain);
    expect(text).toContain("Receipt SEA01-R1-000042");
    expect(text).toMatch(/subtotal\s+28\.96/);
    expect(text).toMatch(/tax\s+3\.00/);
    expect(text).toMatch(/total\s+31\.96 USD/);
    expect(text).toMatch(/cash\s+31\.96\s+18\.04/);
    expect(text).toContain("change 18.04 USD");
    expect(text).toContain("stored at the server");
    expect(text).not.toContain("pending upload");
    expect(text).not.toContain(ESC);
  });

  it("marks voided lines, shows discounts, and says an offline sale is pending upload", () => {
    let cart = addLine(seattleCart(), tote);
    cart = voidLine(cart, 2);
    cart = setLineDiscount(cart, 3, 10);
    const tx = toTransaction(cart, [], { ...meta, mode: "offline" });
    const text = renderReceipt(
      {
        transaction: { ...tx, tenders: [{ tender: "card", kind: "card", amount: tx.total, change: 0 }] },
        status: "pending",
        change: 0,
      },
      plain,
    );
    expect(text).toMatch(/Highlighter pens, 4 colours VOID/);
    expect(text).toMatch(/3\s+1003\s+Canvas tote bag\s+1\s+14\.99\s+10%\s+13\.49/);
    expect(text).toMatch(/discounts\s+-1\.50/);
    // 19.98 + 13.49 = 33.47; tax 2.07 + 1.40
    expect(text).toMatch(/subtotal\s+33\.47/);
    expect(text).toContain("stored offline — pending upload");
    expect(text).not.toContain("change ");
  });
});

describe("renderConnectionStatus", () => {
  const status: RegisterStatus = {
    register: "SEA01-R1",
    store: "SEA01",
    storeName: "Seattle",
    serverUrl: "http://127.0.0.1:7100",
    supportsOffline: true,
    mode: "offline-manual",
    since: "2026-01-01T10:00:00.000Z",
    sinceAgeMs: 65_000,
    reason: "operation 917 (Disconnect)",
    button: "Connect",
    server: { reachable: false, outcome: "server refused the connection", status: null, ms: 3 },
    lastDownload: {
      kind: "download",
      startedAt: "2026-01-01T09:00:00.000Z",
      finishedAt: "2026-01-01T09:00:02.000Z",
      result: "ok",
      message: null,
      sessions: 5,
      rows: 1377,
      transactions: 0,
      bytes: 40_960,
      ageMs: 3_600_000,
    },
    lastUpload: null,
    pending: { count: 2, oldest: "2026-01-01T09:58:00.000Z", oldestAgeMs: 120_000 },
    inDoubt: [],
    numbers: { reservedTo: 50, usedTo: 7, gaps: [] },
    conflicts: 1,
    jobs: [
      { job: "1040", session: 12, toVersion: 1388, appliedAt: "2026-01-01T09:00:01.000Z", ageMs: 3_601_000 },
      { job: "1060", session: 13, toVersion: 1390, appliedAt: "2026-01-01T09:00:02.000Z", ageMs: 3_600_000 },
    ],
    database: { file: "/tmp/offline.db", exists: true, sizeBytes: 1_500_000, integrity: "ok" },
    checkedAt: "2026-01-01T10:01:05.000Z",
  };

  it("shows every part of SPEC §4.4's window", () => {
    const text = renderConnectionStatus(status, plain);
    expect(text).toMatch(/mode\s+OFFLINE \(manual\) since 2026-01-01T10:00:00.000Z \(1m 5s ago\)/);
    expect(text).toMatch(/917 button\s+Connect/);
    expect(text).toContain("http://127.0.0.1:7100 does not answer: server refused the connection");
    expect(text).toMatch(/last download\s+ok 2026-01-01T09:00:02.000Z \(1h 0m ago\), 5 sessions, 1,377 rows, 40 KB/);
    expect(text).toMatch(/last upload\s+never/);
    expect(text).toMatch(/pending uploads\s+2 \(oldest 2m 0s ago\)/);
    expect(text).toMatch(/conflicts\s+1/);
    expect(text).toMatch(/offline database\s+\/tmp\/offline.db\s+1\.4 MB\s+integrity ok/);
    expect(text).toMatch(/1040\s+12\s+1388\s+2026-01-01T09:00:01.000Z\s+1h 0m ago/);
    expect(text).not.toContain(ESC);
  });

  it("says when the server answers and when nothing was applied yet", () => {
    const text = renderConnectionStatus(
      {
        ...status,
        mode: "online",
        button: "Disconnect",
        server: { reachable: true, outcome: "ok", status: 200, ms: 4 },
        jobs: [],
      },
      plain,
    );
    expect(text).toContain("ONLINE");
    expect(text).toContain("answers (4 ms)");
    expect(text).toContain("no download session applied yet");
  });
});

describe("renderSaleHelp", () => {
  it("lists the commands; the bare pay menu only on a terminal", () => {
    const screen = renderSaleHelp(plain, true);
    const script = renderSaleHelp(plain, false);
    for (const word of [
      "3 x 1001",
      "void <line>",
      "disc <line> <pct>",
      "customer <id|search>",
      "917",
      "status",
      "cancel",
      "quit",
    ]) {
      expect(screen).toContain(word);
      expect(script).toContain(word);
    }
    expect(screen).toMatch(/^\s+pay\s+choose a tender/m);
    expect(script).not.toMatch(/^\s+pay\s+choose a tender/m);
  });
});
