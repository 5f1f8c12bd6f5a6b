/**
 * IAM's wildcards: `*` matches any run of characters (none included), `?` exactly one.
 */

/**
 * Whether `text` matches `pattern`. Iterative with a single backtrack point (the last `*`), so the
 * work is bounded by pattern length × text length whatever the input.
 */
export function wildcardMatch(pattern: string, text: string): boolean {
  let p = 0;
  let t = 0;
  let starAt = -1;
  let resumeAt = 0;
  while (t < text.length) {
    const c = pattern[p];
    if (c === '*') {
      starAt = p++;
      resumeAt = t;
    } else if (c !== undefined && (c === '?' || c === text[t])) {
      p++;
      t++;
    } else if (starAt !== -1) {
      // Let the last `*` swallow one more character and retry from there.
      p = starAt + 1;
      t = ++resumeAt;
    } else {
      return false;
    }
  }
  while (pattern[p] === '*') p++;
  return p === pattern.length;
}
