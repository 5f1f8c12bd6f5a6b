/**
 * The order Gatehouse lists names and keys in (the start-up banner, the console), without
 * `localeCompare`: its first call makes V8 build ICU's collator, which reads ICU's locale list and
 * collation data out of the `node` binary and keeps them resident for the life of the process (1.6 MB
 * more of the binary in `gatehouse serve` after the benchmark's load, 1.9 MB in a bare `node`; README
 * "Performance", "Runs of 2026-12-07, fourth session"). On a gateway held to 100 MB that is 2% of its
 * memory for the order of a listing.
 */

/** By UTF-16 code unit, as `Array.prototype.sort` orders strings: `B` before `a`, digits before letters. */
export const byCodeUnits = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Names as people read a listing: letters regardless of case (`orders`, `Pets`, `users`), then by code
 * unit where only case differs (`Pets` before `pets`). Punctuation keeps its code-unit place (`{` after
 * the letters, so `/pets/search` before `/pets/{id}`), where ICU's order put it first.
 */
export const byName = (a: string, b: string): number => byCodeUnits(a.toLowerCase(), b.toLowerCase()) || byCodeUnits(a, b);
