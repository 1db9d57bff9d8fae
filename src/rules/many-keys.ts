/**
 * A plain object for many keys added one at a time by computed name (a record's answers).
 *
 * V8 turns an object literal into a slow hash map once a dozen or so properties are added by
 * computed key; an object made by `Roomy` starts with room for 64 properties inside it, so it stays
 * a fast object: about three times quicker to fill and twice as quick to serialise (measured with
 * the shipped rule set's 44 answers). Its prototype is Object.prototype and its constructor Object,
 * so it cannot be told from `{}`; past 64 keys it still works, only slower.
 */
interface Roomy {
  new (reserve: boolean): Record<string, unknown>;
}

// V8 sizes an object from the `this.x =` assignments it sees in the constructor, used or not.
const Roomy = function (this: Record<string, unknown>, reserve: boolean) {
  // prettier-ignore
  if (reserve) this.s0 = this.s1 = this.s2 = this.s3 = this.s4 = this.s5 = this.s6 = this.s7 = this.s8 = this.s9 = this.s10 = this.s11 = this.s12 = this.s13 = this.s14 = this.s15 = this.s16 = this.s17 = this.s18 = this.s19 = this.s20 = this.s21 = this.s22 = this.s23 = this.s24 = this.s25 = this.s26 = this.s27 = this.s28 = this.s29 = this.s30 = this.s31 = this.s32 = this.s33 = this.s34 = this.s35 = this.s36 = this.s37 = this.s38 = this.s39 = this.s40 = this.s41 = this.s42 = this.s43 = this.s44 = this.s45 = this.s46 = this.s47 = this.s48 = this.s49 = this.s50 = this.s51 = this.s52 = this.s53 = this.s54 = this.s55 = this.s56 = this.s57 = this.s58 = this.s59 = this.s60 = this.s61 = this.s62 = this.s63 = 0;
} as unknown as Roomy;
Roomy.prototype = Object.prototype;
// V8 trims the room to what the first few objects used ("slack tracking"): let those use it all.
for (let i = 0; i < 8; i++) new Roomy(true);

/** An empty plain object that stays fast however many keys (up to 64) are added to it. */
export function objectForManyKeys<T>(): Record<string, T> {
  return new Roomy(false) as Record<string, T>;
}
