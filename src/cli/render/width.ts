/**
 * How many terminal columns a string takes, for aligning columns (a child's name in Chinese, a
 * worker who typed an emoji, an accented name typed with a combining accent, a coloured cell).
 * `.length` counts UTF-16 code units, which is wrong for every one of those.
 *
 * The rules are those of wcwidth as terminals apply them, per user-perceived character (grapheme):
 * - ANSI colour sequences (SGR, `ESC [ … m`) take no columns;
 * - East Asian Wide and Fullwidth characters (CJK, kana, hangul, fullwidth forms) take 2;
 * - an emoji shown as an emoji takes 2, however it is built: with a skin tone, joined by ZWJ into
 *   one family, a flag from two regional indicators, or a text symbol followed by VS16 (U+FE0F);
 * - combining marks, format and other default-ignorable characters (ZWJ, zero-width space,
 *   variation selectors, bidi marks) and control characters take 0;
 * - everything else takes 1.
 * Ambiguous-width characters (e.g. "±", Cyrillic, Greek) count 1, as terminals outside East Asian
 * locales draw them. Written by hand, not a package: these few rules are all the render layer needs,
 * and test/cli/width.test.ts holds them.
 */

const SGR = /\u001b\[[0-9;]*m/g;
const PRINTABLE_ASCII = /^[\u0020-\u007e]*$/;

// Zero columns: marks that combine with the character before, format and default-ignorable
// characters (ZWJ, zero-width space, VS1–16, bidi marks, word joiner, BOM), and controls.
const ZERO = /^[\p{Mn}\p{Me}\p{Cf}\p{Cc}\p{Default_Ignorable_Code_Point}]$/u;

// An emoji drawn as a picture: a code point whose default presentation is emoji, or any
// pictographic one asked to be an emoji by VS16, or a pair of regional indicators (a flag).
const EMOJI_PRESENTATION = /\p{Emoji_Presentation}|\p{Extended_Pictographic}\ufe0f|\p{Regional_Indicator}{2}/u;

/** East Asian Width W or F (Unicode 15, UAX #11), as code point ranges, sorted. */
const WIDE: readonly (readonly [number, number])[] = [
  [0x1100, 0x115f], // Hangul Jamo initial consonants
  [0x2329, 0x232a], // angle brackets
  [0x2e80, 0x303e], // CJK radicals, Kangxi radicals, ideographic description, CJK symbols and punctuation
  [0x3041, 0x33ff], // Hiragana, Katakana, Bopomofo, Hangul compatibility Jamo, Kanbun, CJK strokes, enclosed CJK, CJK compatibility
  [0x3400, 0x4dbf], // CJK Unified Ideographs Extension A
  [0x4e00, 0x9fff], // CJK Unified Ideographs
  [0xa000, 0xa4cf], // Yi
  [0xa960, 0xa97f], // Hangul Jamo Extended-A
  [0xac00, 0xd7a3], // Hangul syllables
  [0xf900, 0xfaff], // CJK Compatibility Ideographs
  [0xfe10, 0xfe19], // vertical forms
  [0xfe30, 0xfe6f], // CJK compatibility forms, small form variants
  [0xff00, 0xff60], // fullwidth forms
  [0xffe0, 0xffe6], // fullwidth signs
  [0x16fe0, 0x16fe4], // ideographic symbols
  [0x17000, 0x18cff], // Tangut, Khitan
  [0x1b000, 0x1b2ff], // Kana supplement and extensions, Nushu
  [0x1f200, 0x1f2ff], // enclosed ideographic supplement
  [0x20000, 0x2fffd], // CJK Extensions B–F, compatibility supplement
  [0x30000, 0x3fffd], // CJK Extensions G–H
];

function isWide(codePoint: number): boolean {
  let lo = 0;
  let hi = WIDE.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const [from, to] = WIDE[mid]!;
    if (codePoint < from) hi = mid - 1;
    else if (codePoint > to) lo = mid + 1;
    else return true;
  }
  return false;
}

let segmenter: Intl.Segmenter | undefined;

function graphemeWidth(grapheme: string): number {
  if (EMOJI_PRESENTATION.test(grapheme)) return 2;
  // The first code point that is not zero-width decides: a base and its combining marks, a Hangul
  // syllable built from Jamo, a letter followed by a variation selector.
  for (const char of grapheme) {
    if (ZERO.test(char)) continue;
    return isWide(char.codePointAt(0)!) ? 2 : 1;
  }
  return 0;
}

/** The number of terminal columns `text` takes (see the module comment for the rules). */
export function displayWidth(text: string): number {
  const plain = text.includes("\u001b") ? text.replace(SGR, "") : text;
  if (PRINTABLE_ASCII.test(plain)) return plain.length;
  segmenter ??= new Intl.Segmenter("en", { granularity: "grapheme" });
  let width = 0;
  for (const { segment } of segmenter.segment(plain)) width += graphemeWidth(segment);
  return width;
}

/** `text` followed by spaces up to `width` columns (never cut): String.prototype.padEnd by display width. */
export function padEndColumns(text: string, width: number): string {
  return text + " ".repeat(Math.max(0, width - displayWidth(text)));
}
