// EAN-13 barcodes: check digit, validation, and building a code from its first twelve digits.

/** Check digit of the first twelve digits: weights 1,3,1,3… from the left, then (10 − sum mod 10) mod 10. */
export function ean13CheckDigit(first12: string): number {
  if (!/^\d{12}$/.test(first12))
    throw new RangeError(`an EAN-13 check digit needs exactly 12 digits, got "${first12}"`);
  let sum = 0;
  for (let i = 0; i < 12; i++) sum += (first12.charCodeAt(i) - 48) * (i % 2 === 0 ? 1 : 3);
  return (10 - (sum % 10)) % 10;
}

export function isValidEan13(code: string): boolean {
  return /^\d{13}$/.test(code) && ean13CheckDigit(code.slice(0, 12)) === code.charCodeAt(12) - 48;
}

export function makeEan13(prefix12: string): string {
  return `${prefix12}${ean13CheckDigit(prefix12)}`;
}
