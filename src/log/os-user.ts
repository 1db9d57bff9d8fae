/**
 * A local log file's honesty about who wrote an entry. `--user` / TRIAGE_USER names who is acting,
 * but on one machine anyone can type any name; so every entry a SQLite log records also carries the
 * operating-system account that wrote it (`os_user`, inside the hashed body), and `log show` and
 * `stats` point out entries whose named person is not that account. A file can prove that; it cannot
 * prove who sat at the keyboard — the server log's logins can (README: A shared team log).
 */

/** The body as stored, with the OS account added (objects only; other bodies are left as they are). */
export function withOsUser(body: unknown, osUser: string | undefined): unknown {
  if (osUser === undefined || typeof body !== "object" || body === null || Array.isArray(body)) return body;
  return { ...(body as Record<string, unknown>), os_user: osUser };
}

/** The OS account recorded with an entry, when it differs from the person the entry names. */
export function claimedByOther(entry: { actor: string; body: unknown }): string | undefined {
  const body = entry.body as { os_user?: unknown } | null;
  const os = typeof body === "object" && body !== null && typeof body.os_user === "string" ? body.os_user : undefined;
  return os !== undefined && os !== entry.actor ? os : undefined;
}
