import { basename, join } from "node:path";
import { ExitCode } from "../../errors.js";
import { coverage, coverageComplete, runFixture } from "../../rules/fixtures.js";
import { PACKAGE_ROOT, type Context } from "../context.js";
import { readFixtures } from "../fixture-files.js";
import { makeStyle } from "../render/style.js";
import { loadRules } from "../rules-loader.js";
import { inert, inertLine } from "../render/inert.js";

export async function run(ctx: Context, _args: string[], options: { fixtures?: string; strict?: boolean }): Promise<void> {
  const rs = await loadRules(ctx, ctx.rulesPath, ExitCode.Findings);
  const dir = options.fixtures ?? join(PACKAGE_ROOT, "fixtures", "referrals");
  const results = readFixtures(dir).map((f) => runFixture(rs, f));
  const cov = coverage(rs, results);
  const failed = results.filter((r) => !r.ok && !r.todo);
  const todo = results.filter((r) => r.todo);
  const strict = options.strict === true;
  const covered = coverageComplete(cov);
  const ran = results.length - todo.length;
  if (ran === 0 || failed.length > 0 || (strict && !covered)) process.exitCode = ExitCode.Findings;

  if (ctx.json) {
    const cases = results.map(({ decision, ...r }) => ({ ...r, outcome: decision?.computed_outcome.id, fired: decision?.fired.map((f) => f.id) }));
    ctx.out(
      JSON.stringify(
        {
          ok: process.exitCode !== ExitCode.Findings,
          rule_set: { id: rs.id, version: rs.version, sha256: rs.sha256 },
          passed: ran - failed.length,
          failed: failed.length,
          todo: todo.length,
          coverage: {
            complete: covered,
            rules_never_fired: cov.rulesNeverFired,
            rules_never_not_fired: cov.rulesNeverNotFired,
            guards_never_holding: cov.guardsNeverHolding,
            guards_never_released: cov.guardsNeverReleased,
          },
          cases,
        },
        null,
        2,
      ),
    );
    return;
  }
  const style = makeStyle(ctx.color);
  for (const r of results) {
    const mark = r.todo ? style.dim("todo") : r.ok ? style.ok("✓") : style.bad("✗");
    ctx.out(`${mark} ${inertLine(basename(r.file))}  ${inertLine(r.name)}`);
    if (r.ok || r.todo) continue;
    for (const d of r.differences) ctx.out(`    ${style.bad(inert(d))}`);
    if (r.decision) {
      ctx.out(
        style.dim(
          `    got ${r.decision.computed_outcome.id}; fired: ${r.decision.fired.map((f) => `${f.id}${f.effect === "note" ? "" : ` (${f.effect} ${f.outcome})`}`).join(", ") || "none"}`,
        ),
      );
      ctx.out(style.dim(inert(`    explain: triage --rules ${ctx.rulesPath} rules explain ${r.file}`)));
    }
  }
  const gaps: [string, string[]][] = [
    ["rules no fixture fires", cov.rulesNeverFired],
    ["rules no fixture shows not firing", cov.rulesNeverNotFired],
    ["guards never holding", cov.guardsNeverHolding],
    ["guards never released", cov.guardsNeverReleased],
  ];
  ctx.out("");
  ctx.out(
    covered
      ? style.ok("Coverage: every rule fires and is seen not firing; every guard holds and releases.")
      : style.warn(`Coverage gaps${strict ? " (failing: --strict)" : ""}:`),
  );
  for (const [what, ids] of gaps) if (ids.length > 0) ctx.out(`  ${what}: ${ids.join(", ")}`);
  ctx.out(
    `${results.length} case(s): ${ran - failed.length} passed, ${failed.length} failed${todo.length > 0 ? `, ${todo.length} todo` : ""}${ran === 0 ? " — no case ran" : ""}`,
  );
}
