/**
 * The order Gatehouse lists names and keys in (the start-up banner, the console): by UTF-16 code unit,
 * as `Array.prototype.sort` orders strings, so `B` comes before `a`.
 *
 * Not `localeCompare`: its first call makes V8 build ICU's collator, which reads ICU's locale and
 * collation data out of the `node` binary, about 1.9 MB of it then resident for the life of the process
 * (Node 20.20: 0.45 MB of ICU data resident before, 2.39 MB after; README "Performance"). On a gateway
 * held to 100 MB that is 2% of its memory for the order of a listing.
 */
export const byCodeUnits = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
