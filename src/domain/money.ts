// Money in integer minor units with the currency's decimals (USD 2, JPY 0); never floats for amounts.

/** Integer division rounding half away from zero (half-up for the positive amounts of a sale). */
export function divRoundHalfUp(numerator: number, denominator: number): number {
  if (denominator <= 0) throw new RangeError("denominator must be positive");
  const sign = numerator < 0 ? -1 : 1;
  const n = Math.abs(numerator);
  const q = Math.floor(n / denominator);
  const r = n - q * denominator;
  return sign * (r * 2 >= denominator ? q + 1 : q);
}

/**
 * Parses a major-unit amount (`"12.5"`, `12.5`, `"1000"`) into minor units; undefined when it is not
 * a plain non-negative decimal with at most `decimals` places.
 */
export function parseAmount(input: string | number, decimals: number): number | undefined {
  const text = typeof input === "number" ? numberToPlain(input) : input.trim();
  if (text === undefined) return undefined;
  const match = /^(\d+)(?:\.(\d*))?$/.exec(text);
  if (!match) return undefined;
  const frac = match[2] ?? "";
  if (frac.length > decimals && !/^0*$/.test(frac.slice(decimals))) return undefined;
  const minor = Number(match[1]) * 10 ** decimals + Number((frac.slice(0, decimals) || "0").padEnd(decimals, "0"));
  return Number.isSafeInteger(minor) ? minor : undefined;
}

function numberToPlain(value: number): string | undefined {
  if (!Number.isFinite(value) || value < 0) return undefined;
  // toFixed(10) then trim avoids exponent notation and float noise like 0.1 + 0.2.
  return value.toFixed(10).replace(/\.?0+$/, "");
}

/** Minor units → the major-unit number JSON carries (2544 USD → 25.44; 1980 JPY → 1980). */
export function toMajor(minor: number, decimals: number): number {
  return Number((minor / 10 ** decimals).toFixed(decimals));
}

/** Minor units → major, rejecting values with more decimals than the currency has. */
export function fromMajor(major: number, decimals: number): number | undefined {
  const negative = major < 0;
  const minor = parseAmount(Math.abs(major), decimals);
  return minor === undefined ? undefined : negative ? -minor : minor;
}

/** Formats minor units for people: `25.44`, `1,980` with the currency code when asked. */
export function formatMoney(minor: number, decimals: number, currency?: string): string {
  const negative = minor < 0;
  const abs = Math.abs(minor);
  const unit = 10 ** decimals;
  const whole = Math.floor(abs / unit)
    .toString()
    .replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  const frac = decimals > 0 ? `.${String(abs % unit).padStart(decimals, "0")}` : "";
  return `${negative ? "-" : ""}${whole}${frac}${currency ? ` ${currency}` : ""}`;
}
