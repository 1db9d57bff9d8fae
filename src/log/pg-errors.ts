/**
 * node-postgres errors as the user can act on them: a refusal by a safety rule in the database
 * (exit 5, with the database's message, which is the client's own wording), missing rights (exit 5,
 * naming the role to ask for), a server that cannot be reached or a login refused (exit 4, naming
 * the server without any password). Anything else is rethrown unchanged (a bug: exit 3).
 */
import { LogError, RefusedError } from "../errors.js";

/** A connection string with any password removed (never printed, never stored). */
export function redactUrl(url: string): string {
  return url.replace(/^(postgres(?:ql)?:\/\/[^:@/?#]*):[^@/?#]*@/i, "$1@").replace(/([?&]password=)[^&#]*/gi, "$1***");
}

export function isServerLocation(location: string): boolean {
  return /^postgres(ql)?:\/\//i.test(location);
}

/** SQLSTATE of a refusal by a safety rule inside the database (pg-schema.ts raises it). */
export const PG_REFUSED = "TRG01";

const CONNECT_CODES = new Set(["ECONNREFUSED", "ENOENT", "ETIMEDOUT", "EHOSTUNREACH", "ENOTFOUND", "ECONNRESET", "EACCES"]);

export function describePgError(error: unknown, where: string, busyTimeoutMs: number): Error | undefined {
  if (typeof error !== "object" || error === null) return undefined;
  const e = error as { code?: unknown; message?: unknown };
  const code = typeof e.code === "string" ? e.code : undefined;
  const message = typeof e.message === "string" ? e.message : "the database reported an error without a message";
  if (code === PG_REFUSED) return new RefusedError(message);
  if (code === "42501") {
    return new RefusedError(
      `refused by the database: ${message}`,
      "ask the log's owner for the role you need (triage_worker to record, triage_manager to review and approve)",
    );
  }
  if (code === "55P03" || code === "40P01") {
    return new LogError(`the server log ${where} is busy (${message}); gave up after waiting ${busyTimeoutMs} ms`, "try again in a moment");
  }
  if (code === "28P01" || code === "28000") {
    return new LogError(`the server ${where} refused the login: ${message}`, "check PGUSER / PGPASSWORD / ~/.pgpass, or the user in --db / TRIAGE_DB");
  }
  if (code === "3D000")
    return new LogError(`the server log ${where} does not exist: ${message}`, "create it (README: A shared team log) or check --db / TRIAGE_DB");
  if (code === "57P01" || code === "57P02" || code === "57P03" || code === "08006" || code === "08001" || code === "08003" || code === "08004") {
    return new LogError(`the connection to the server log ${where} failed: ${message}`, "check that the server is running; nothing partial was recorded");
  }
  if ((code !== undefined && CONNECT_CODES.has(code)) || /Connection terminated|connect ECONN|getaddrinfo/i.test(message)) {
    return new LogError(`cannot reach the server log ${where} (${message})`, "check the address in --db / TRIAGE_DB and that the server is running");
  }
  return undefined;
}
