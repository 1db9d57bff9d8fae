/**
 * A strict RFC 4180 reader for the export tests: records end in CRLF (the last one too), a field
 * is either plain (no quote, comma, CR or LF) or wholly quoted with inner quotes doubled, and every
 * record has as many fields as the header. Anything else throws, naming where.
 */
export function parseCsvStrict(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let i = 0;
  const fail = (why: string): never => {
    throw new Error(`CSV not RFC 4180 at record ${rows.length + 1}, character ${i}: ${why}`);
  };
  while (i < text.length) {
    let field = "";
    if (text[i] === '"') {
      i++;
      for (;;) {
        if (i >= text.length) fail("a quoted field is not closed");
        if (text[i] === '"') {
          if (text[i + 1] === '"') {
            field += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        field += text[i++];
      }
    } else {
      while (i < text.length && text[i] !== "," && text[i] !== "\r") {
        if (text[i] === '"') fail("a quote inside an unquoted field");
        if (text[i] === "\n") fail("a bare line feed (records end in CRLF)");
        field += text[i++];
      }
    }
    row.push(field);
    if (text[i] === ",") i++;
    else if (text[i] === "\r" && text[i + 1] === "\n") {
      i += 2;
      rows.push(row);
      row = [];
    } else fail(i >= text.length ? "the last record does not end in CRLF" : `unexpected ${JSON.stringify(text[i])} after a field`);
  }
  if (row.length > 0) fail("the last record does not end in CRLF");
  const width = rows[0]?.length ?? 0;
  rows.forEach((r, n) => {
    if (r.length !== width) throw new Error(`CSV record ${n + 1} has ${r.length} fields; the header has ${width}`);
  });
  return rows;
}
