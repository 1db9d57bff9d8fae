/**
 * The command tree, without side effects. Each action loads its command module only when run, so
 * `triage --help` never pays for yaml, zod, Inquirer or better-sqlite3.
 *
 * Options are typed from their declarations here (@commander-js/extra-typings): each command module
 * declares the options it reads as a type, and `lazy` checks at compile time that what this file
 * declares fits it. No option is read as `unknown` and tested with `typeof`; nothing is parsed at
 * run time beyond what commander does (a schema library would add its load time to every command).
 */
import { Command, Option, type CommandUnknownOpts } from "@commander-js/extra-typings";
import { inert } from "./render/inert.js";
import { buildContext, type CommonOptions, type Context } from "./context.js";

/** A command module's entry point: its options as it reads them (a subset of what is declared). */
export type Run<Options> = (ctx: Context, args: string[], options: Options) => Promise<void>;

type Declared = CommandUnknownOpts & { optsWithGlobals(): object };
type OptionsOf<C extends Declared> = ReturnType<C["optsWithGlobals"]> & CommonOptions;

/**
 * Runs `command` by loading its module when it is invoked. `run` is typed as a function property,
 * so its options parameter is checked contravariantly: the module may read only options declared.
 */
function lazy<C extends Declared & { action(fn: () => Promise<void>): unknown }>(command: C, load: () => Promise<{ run: Run<OptionsOf<C>> }>): void {
  command.action(async (): Promise<void> => {
    // Inside this generic function tsc sees only the constraint's `object`; the declared type is C's.
    const options = command.optsWithGlobals() as OptionsOf<C>;
    // Referral references are written in capitals (TRG-2026-000123); any case is accepted.
    const args = command.args
      .slice(0, command.registeredArguments.length)
      .map((a, i) => (command.registeredArguments[i]?.name() === "ref" ? String(a).trim().toUpperCase() : String(a)));
    const ctx = buildContext(contextOptions(command, options));
    const module = await load();
    await module.run(ctx, args, options);
  });
}

/**
 * `log list --rules VERSION` gives the global --rules FILE another meaning after the command's
 * name; commander files both under the program, so tell them apart by where they were written.
 */
function contextOptions(command: CommandUnknownOpts, options: CommonOptions): CommonOptions {
  if (!command.options.some((o) => o.attributeName() === "rules")) return options;
  let root = command;
  while (root.parent) root = root.parent;
  const argv: string[] = (root as unknown as { rawArgs: string[] }).rawArgs ?? [];
  const at = argv.indexOf(command.name());
  let mine: string | undefined;
  let global: string | undefined;
  argv.forEach((a, i) => {
    if (a !== "--rules" && !a.startsWith("--rules=")) return;
    const value = a === "--rules" ? argv[i + 1] : a.slice("--rules=".length);
    if (at >= 0 && i > at) mine = value;
    else global = value;
  });
  options.rules = mine;
  return { ...options, rules: global };
}

const EXIT_CODES = `
Exit codes:
  0    ok
  1    findings: validation errors, failed tests, lint violations, a broken log chain
  2    usage or bad input: flags, unreadable or invalid rule/answers files, unknown references
  3    internal error (a bug in triage)
  4    the log cannot be used: locked, corrupt, not a triage log, newer schema, read-only
  5    refused by a safety rule (downgrade below a floor, closure with checks outstanding, ...)
  130  interrupted; the draft is saved (triage resume)`;

export function createProgram(): Command {
  const program = new Command("triage")
    .description("Front-door referral triage for children's social care: structured questions, explicit rules, a permanent log.")
    .version("0.1.0", "-V, --version")
    .option("--rules <file>", "rule set (default: the shipped rules/default.yaml; env TRIAGE_RULES)")
    .option("--db <file|url>", "decision log: a file (default: $XDG_DATA_HOME/triage/triage.db) or postgres://… for the team's server log; env TRIAGE_DB")
    .option("--user <name>", "who is acting, for a local file (default: the OS user; env TRIAGE_USER); refused with a server log")
    .option("--now <iso>", "the clock, e.g. 2026-11-27T14:05 (local to the rule set's time zone) or with an offset; env TRIAGE_NOW")
    .option(
      "--anchor-dir <dir>",
      "also write the log's head to this folder after every write, and verify against it (another disk or a backup share; env TRIAGE_ANCHOR_DIR)",
    )
    .option("--team <file>", "team file with managers and senior managers (default: team.yaml beside the log; env TRIAGE_TEAM)")
    .option("--json", "print JSON instead of text")
    .option("--no-pager", "print long output straight to the terminal (default: $PAGER, else less -R, when output is a terminal)")
    .addHelpText("after", EXIT_CODES)
    .showHelpAfterError("(run with --help for usage)")
    .exitOverride()
    // commander quotes unknown options and arguments back: shown inert like every other message.
    .configureOutput({ writeErr: (text) => void process.stderr.write(inert(text)) });

  lazy(
    program
      .command("new")
      .description("triage a new referral: a guided interview, or --answers FILE for the non-interactive path")
      .option("--answers <file>", "answers file (YAML or JSON; - for standard input)")
      .option("--dry-run", "evaluate and print without recording in the log")
      .addOption(new Option("--unanswered <mode>", "what an unanswered visible question means").choices(["error", "unknown"]).default("error"))
      .option("--link <ref...>", "confirm a possible earlier referral about the same child")
      .option("--reject-link <ref...>", "reject a possible earlier referral about the same child (alias: --no-link)")
      .option("--accept", "with --answers: accept the computed outcome without asking (default)")
      .option("--escalate <outcome>", "with --answers: record a higher outcome than computed (needs --reason)")
      .option("--reason <text>", "reason for --escalate")
      .option("--analysis <text>", "with --answers: the worker's analysis (what is life like for this child?)")
      .option(
        "--finish-later",
        'with --answers: an urgent call — questions the file leaves out are left for later ("not known", the worst case) with a step to finish them (triage resume REF); only when the answers given hold a hard floor at strategy discussion or above',
      ),
    () => import("./commands/new.js"),
  );

  lazy(
    program
      .command("resume")
      .description("list unfinished interviews, continue one, or finish the questions an urgent decision left for later")
      .argument("[draft]", "draft id, or a referral's reference (TRG-…) recorded with questions left for later")
      .option("--answers <file>", "with a referral's reference: the answers to the questions left for later, from a file (YAML or JSON; - for standard input)"),
    () => import("./commands/resume.js"),
  );

  lazy(
    program
      .command("checks")
      .description("the checks a referral needs: recorded and outstanding; --record appends one")
      .argument("<ref>", "referral reference, e.g. TRG-2026-000123")
      .option("--record <check>", "record a check by id")
      .option("--found <text>", "what the check found")
      .option("--at <iso>", "when the check was done (default: now)"),
    () => import("./commands/checks.js"),
  );

  lazy(
    program
      .command("override")
      .description("change a referral's outcome: up at once; down pending a manager's agreement")
      .argument("<ref>", "referral reference")
      .requiredOption("--to <outcome>", "the new outcome id")
      .requiredOption("--reason <text>", "why"),
    () => import("./commands/override.js"),
  );

  lazy(
    program
      .command("close")
      .description("propose closing a referral (governed closures need checks and approvals)")
      .argument("<ref>", "referral reference")
      .requiredOption("--as <reason>", "closure reason id from the rule set")
      .requiredOption("--rationale <text>", "why")
      .option("--evidence <text>", "for 'malicious': the evidence that the referrer knowingly gave false information"),
    () => import("./commands/close.js"),
  );

  lazy(
    program
      .command("review")
      .description("a manager's review of a decision, or of a pending override or closure; without REF, your review queue")
      .argument("[ref]", "referral reference (without it: what waits for your review; in a terminal, pick one)")
      .option("--agree", "agree (makes a pending override or closure take effect)")
      .option("--challenge", "return to the worker (needs --reason)")
      .option("--escalate <outcome>", "raise the outcome (needs --reason)")
      .option("--reason <text>", "why")
      .option("--of <seq>", "what to review: an override's or closure's entry number, or 'decision' (default: the oldest pending, else the decision)"),
    () => import("./commands/review.js"),
  );

  lazy(
    program
      .command("today")
      .description("the handover queue: what is overdue, due, waiting for you, not re-screened, guarded or unreviewed")
      .option("--hours <n>", "the window for steps falling due (default: to the end of the next working day)")
      .option("--worker <name>", "only referrals decided by this worker"),
    () => import("./commands/today.js"),
  );

  lazy(
    program
      .command("stats")
      .description("audit measures from the log for supervisors")
      .option("--since <date>", "only referrals received on or after this date"),
    () => import("./commands/stats.js"),
  );

  lazy(program.command("demo").description("build a demo log of fictional referrals to explore"), () => import("./commands/demo.js"));

  const log = program.command("log").description("search, show, verify and export the decision log");
  lazy(
    log
      .command("list")
      .description("decisions, newest first")
      .option("--since <date>", "received on or after")
      .option("--until <date>", "received before")
      .option("--outcome <outcome>", 'current outcome: id or label (e.g. early_help or "Early help")')
      .option("--worker <name>", "decided by")
      .option("--child <text>", "the child: name (misspellings found as the history lookup finds them), date of birth, postcode, case or referral reference")
      .option("--unreviewed", "not yet reviewed by a manager")
      .option("--overdue", "a deadline passed without its step or check recorded")
      .option("--guarded", "a guard still holding")
      .option("--pending", "an override or closure awaiting approval")
      .option("--rules <version>", "decided under this rule-set version (e.g. 1.0.1)")
      .option("--limit <n>", "at most this many", "50"),
    () => import("./commands/log-list.js"),
  );
  lazy(
    log.command("show").description("a decision card and everything that happened to it since").argument("<ref>", "referral reference"),
    () => import("./commands/log-show.js"),
  );
  lazy(
    log
      .command("verify")
      .description("recompute the hash chain, check the triggers and compare with an anchor")
      .option("--anchor <file>", "anchor file written by `triage log anchor --out`")
      .option("--full", "accepted for scripts: every index row is rebuilt from its decision entry and compared by default"),
    () => import("./commands/log-verify.js"),
  );
  lazy(
    log
      .command("anchor")
      .description("record and print the chain head, to keep outside the database")
      .option("--out <file>", "also write the anchor to this file (never the log; a new file unless --force)")
      .option("--force", "replace an existing --out file"),
    () => import("./commands/log-anchor.js"),
  );
  lazy(
    log
      .command("copy")
      .description("copy every entry verbatim into an empty log (e.g. a pilot's file into the team database) and verify the copy")
      .requiredOption("--from <log>", "the log to copy: a file or postgres://…")
      .requiredOption("--to <log>", "an empty log: a new file or an initialised server log (its owner copies)"),
    () => import("./commands/log-copy.js"),
  );
  lazy(
    log
      .command("export")
      .description("csv: one row per decision as it stands now, for a spreadsheet; jsonl: every entry with its hashes, in chain order")
      .addOption(
        new Option("--format <format>", "jsonl: one JSON entry a line; csv: one row a decision (with --events: one row an entry, body as JSON text)")
          .choices(["jsonl", "csv"])
          .default("jsonl"),
      )
      .option("--events", "with --format csv: one row per entry (seq, ref, kind, actor, at, hashes, body) instead of per decision")
      .option("--out <file>", "write to a file instead of standard output (never the log; a new file unless --force)")
      .option("--force", "replace an existing --out file"),
    () => import("./commands/log-export.js"),
  );

  const admin = program.command("admin").description("set up the shared server log (PostgreSQL)");
  lazy(
    admin
      .command("init")
      .description("create or upgrade the server log's schema and roles, and approve the shipped rule set (run by the database owner; idempotent)")
      .option("--empty", "write no entries: the log is to receive `triage log copy` (which brings its own rule-set approvals)"),
    () => import("./commands/admin-init.js"),
  );

  const rules = program.command("rules").description("validate, test, explain, lint and compare rule sets");
  lazy(
    rules
      .command("validate")
      .description("check a rule set; every problem as file:line:col")
      .argument("[file]", "rule set (default: --rules or the shipped one)"),
    () => import("./commands/rules-validate.js"),
  );
  lazy(rules.command("schema").description("the rule format as JSON Schema, for editors"), () => import("./commands/rules-schema.js"));
  lazy(
    rules
      .command("explain")
      .description("the decision for an answers file (or a logged referral), with every rule and condition")
      .argument("[answers]", "answers file (YAML or JSON)")
      .option("--ref <ref>", "reproduce a logged decision from the rule set stored with it")
      .addOption(new Option("--unanswered <mode>", "what an unanswered visible question means").choices(["error", "unknown"]).default("error")),
    () => import("./commands/rules-explain.js"),
  );
  lazy(
    rules
      .command("test")
      .description("run the fixture referrals and report coverage")
      .option("--fixtures <dir>", "fixtures folder (default: fixtures/referrals)")
      .option("--strict", "fail when a rule or guard is not covered both ways"),
    () => import("./commands/rules-test.js"),
  );
  lazy(
    rules
      .command("lint")
      .description("prove the rule set's safety invariants over generated answer sets")
      .argument("[file]", "rule set")
      .option("--samples <n>", "generated answer sets", "10000")
      .option("--seed <n>", "random seed", "1"),
    () => import("./commands/rules-lint.js"),
  );
  lazy(
    rules
      .command("diff")
      .description("what changed between two rule sets, and which cases they decide differently")
      .argument("<old>", "old rule set")
      .argument("<new>", "new rule set")
      .option("--fixtures <dir>", "fixtures folder to replay")
      .option("--since <date>", "only logged referrals received on or after")
      .option("--fail-on-lower", "exit 1 if any case's outcome would go down"),
    () => import("./commands/rules-diff.js"),
  );
  lazy(
    rules
      .command("propose")
      .description("propose a rule set for approval on this log (another rules lead approves it)")
      .argument("[file]", "rule set")
      .option("--note <text>", "what the change is and why"),
    () => import("./commands/rules-propose.js"),
  );
  lazy(
    rules
      .command("approve")
      .description("approve a proposed rule set (a rules lead, not the proposer): tests, lint and diff must pass; it is then in force")
      .argument("[file]", "rule set")
      .option("--fixtures <dir>", "fixtures folder for rules test --strict (default: fixtures/referrals)")
      .option("--samples <n>", "lint samples (at least 100000)", "100000")
      .option("--seed <n>", "lint seed", "1"),
    () => import("./commands/rules-approve.js"),
  );
  lazy(
    rules.command("history").description("the rule sets approved on this log, with who approved them and their diffs"),
    () => import("./commands/rules-history.js"),
  );
  lazy(
    rules.command("thresholds").description("the tunable numbers and which rules use them").argument("[file]", "rule set"),
    () => import("./commands/rules-thresholds.js"),
  );

  return program;
}
