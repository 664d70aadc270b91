/** The shortest admin token production accepts. */
export const productionAdminTokenMinLength = 32;
/** The fewest distinct characters a production admin token may have. */
export const productionAdminTokenMinDistinct = 8;

/**
 * Why a production admin token is too weak, or `null`. A floor, not a strength meter: it refuses
 * short tokens and the low-entropy shapes people type by hand (`aaaa…`, `abab…`, a word repeated),
 * while any random token (`openssl rand -hex 32`) passes.
 */
export const adminTokenWeakness = (token: string): string | null => {
  if (token.length < productionAdminTokenMinLength)
    return `must be at least ${productionAdminTokenMinLength} characters in production`;
  if (new Set(token).size < productionAdminTokenMinDistinct)
    return `is low-entropy: use at least ${productionAdminTokenMinDistinct} distinct characters in production (e.g. openssl rand -hex 32)`;
  // A string is a repetition of a shorter one exactly when it occurs inside itself doubled, before its own length.
  if ((token + token).indexOf(token, 1) < token.length)
    return "is low-entropy: a shorter string repeated is refused in production (e.g. openssl rand -hex 32)";
  return null;
};
