/**
 * Text that cannot be hashed: a string with an unpaired UTF-16 surrogate. Its own small module so
 * that src/cli/main.ts can recognise the error without loading the hashing code.
 */
/**
 * A string with an unpaired UTF-16 surrogate (half of an emoji, say, from a JSON file's "\ud83d"):
 * it has no UTF-8 form, so JCS refuses it, and so do we rather than hash a stand-in. The data came
 * from outside (a file, a pasted answer), so the CLI reports it as bad input, naming `where`.
 */
export class UnpairedSurrogateError extends TypeError {
  constructor(readonly where: string) {
    super(`${where} contains an unpaired UTF-16 surrogate (a broken character), which cannot be hashed or written to the log`);
    this.name = "UnpairedSurrogateError";
  }
}

// In a `u` regular expression a surrogate pair is one code point, so only a lone half matches.
export const LONE_SURROGATE = /[\ud800-\udfff]/u;

/** Refuses a string with an unpaired surrogate (see UnpairedSurrogateError); `where` names it. */
export function assertWellFormed(text: string, where: string): void {
  if (LONE_SURROGATE.test(text)) throw new UnpairedSurrogateError(where);
}
