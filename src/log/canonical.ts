/**
 * The log hashes exactly what rule-set identity hashes: one implementation, kept with the rules
 * (src/rules must not import src/log; the reverse is fine).
 */
export { canonicalJson, sha256Hex } from "../rules/canonical.js";
export { assertWellFormed, UnpairedSurrogateError } from "../rules/well-formed.js";
