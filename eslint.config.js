// ESLint (flat config): typescript-eslint's type-checked recommended rules, the vitest plugin, and
// the layering of docs/architecture.md as import rules. Formatting is Prettier's (npm run format).
import js from "@eslint/js";
import vitest from "@vitest/eslint-plugin";
import tseslint from "typescript-eslint";

// Import paths that leave the current layer for another of ours. Relative imports only: the layers
// are sibling folders of src/, so "../log/…", "../../log/…" are how one reaches another.
const layer = (...names) => `^(\\.\\./)+(${names.join("|")})(/|\\.js$)`;

const restrictImports = (names, why) => ({
  regex: layer(...names),
  message: `${why} (docs/architecture.md, "Layers").`,
});

// Database drivers (better-sqlite3, pg and its helpers): only src/log imports them.
const DB_DRIVERS = "^(better-sqlite3|pg|pg-[^/]+)(/|$)";

// What the functional core may not reach for: the terminal, files, processes, databases, prompts.
const EDGE_PACKAGES = [
  { regex: DB_DRIVERS, message: "Databases are the log's (src/log), at the edge." },
  { group: ["@inquirer/*", "chalk", "commander", "@commander-js/*"], message: "Prompts and the terminal belong to src/cli." },
  {
    group: ["node:fs", "node:fs/*", "node:child_process", "node:tty", "node:readline", "node:net", "node:os"],
    message: "The core is pure: I/O is passed in by src/cli.",
  },
];

// SQL text anywhere but src/log. Upper-case keywords as statements are written in this code base.
const SQL = "/\\b(SELECT|INSERT|UPDATE|DELETE)\\b/";
const noSql = [
  { selector: `Literal[value=${SQL}]`, message: 'SQL lives in src/log only (docs/architecture.md, "Layers").' },
  { selector: `TemplateElement[value.raw=${SQL}]`, message: 'SQL lives in src/log only (docs/architecture.md, "Layers").' },
];

// The clock and the environment are passed in to the core, never read there.
const coreSyntax = [
  ...noSql,
  { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: "The core takes the clock as an argument; `new Date()` belongs to src/cli." },
  {
    selector: "CallExpression[callee.object.name='Date'][callee.property.name='now']",
    message: "The core takes the clock as an argument; `Date.now()` belongs to src/cli.",
  },
];

export default tseslint.config(
  { ignores: ["dist/**", "node_modules/**", "fixtures/**", "rules/**", "coverage/**"] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: { allowDefaultProject: ["*.ts", "*.js"] }, tsconfigRootDir: import.meta.dirname },
    },
    linterOptions: { reportUnusedDisableDirectives: "error" },
    rules: {
      // tsc reports unused locals and parameters (noUnusedLocals, noUnusedParameters); one place only.
      "@typescript-eslint/no-unused-vars": "off",
      // Non-null assertions are used after checks tsc cannot follow (noUncheckedIndexedAccess); each is local.
      "@typescript-eslint/no-non-null-assertion": "off",
      // Template literals with numbers are the ordinary way to print counts and sequence numbers.
      "@typescript-eslint/restrict-template-expressions": ["error", { allowNumber: true, allowBoolean: true }],
      "@typescript-eslint/consistent-type-imports": ["error", { fixStyle: "inline-type-imports" }],
      // Control characters are matched on purpose: neutralising hostile text, JSON escaping, ANSI colours.
      "no-control-regex": "off",
      // "!= null" is the idiom for "null or undefined".
      eqeqeq: ["error", "always", { null: "ignore" }],
      // Async functions implement Promise-returning seams (Prompter, a command's run) without always awaiting.
      "@typescript-eslint/require-await": "off",
    },
  },
  {
    // Plain ESM scripts outside the TypeScript project: no type information.
    files: ["**/*.js", "**/*.mjs"],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      ...tseslint.configs.disableTypeChecked.languageOptions,
      globals: { process: "readonly", console: "readonly", URL: "readonly", performance: "readonly", setTimeout: "readonly", Buffer: "readonly" },
    },
  },

  // ---- The layering (docs/architecture.md) -------------------------------------------------
  {
    files: ["src/rules/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            restrictImports(["cli", "log", "workflow", "interview", "files", "errors"], "src/rules imports nothing of ours but itself"),
            ...EDGE_PACKAGES,
          ],
        },
      ],
      "no-restricted-syntax": ["error", ...coreSyntax],
      "no-restricted-globals": ["error", { name: "process", message: "The core is pure: the environment is read in src/cli." }],
    },
  },
  {
    files: ["src/workflow/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        { patterns: [restrictImports(["cli", "log", "interview", "files", "errors"], "src/workflow imports only src/rules"), ...EDGE_PACKAGES] },
      ],
      "no-restricted-syntax": ["error", ...coreSyntax],
      "no-restricted-globals": ["error", { name: "process", message: "The core is pure: the environment is read in src/cli." }],
    },
  },
  {
    files: ["src/interview/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        { patterns: [restrictImports(["cli", "log", "files", "errors"], "src/interview imports only src/rules and src/workflow"), ...EDGE_PACKAGES] },
      ],
      "no-restricted-syntax": ["error", ...coreSyntax],
      "no-restricted-globals": ["error", { name: "process", message: "The core is pure: the environment is read in src/cli." }],
    },
  },
  {
    // The log is the shell's store: it may use the core's pure helpers, never the CLI.
    files: ["src/log/**/*.ts"],
    rules: {
      "no-restricted-imports": ["error", { patterns: [restrictImports(["cli", "interview"], "src/log is used by src/cli, never the other way round")] }],
    },
  },
  {
    files: ["src/cli/**/*.ts", "src/*.ts"],
    rules: {
      "no-restricted-imports": ["error", { patterns: [{ regex: DB_DRIVERS, message: 'Only src/log talks to a database (docs/architecture.md, "Layers").' }] }],
      "no-restricted-syntax": ["error", ...noSql],
    },
  },
  {
    files: ["src/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        { patterns: [restrictImports(["cli", "log", "workflow", "interview", "rules"], "src/errors.ts and src/files.ts are leaves")] },
      ],
    },
  },

  // ---- Tests -------------------------------------------------------------------------------
  {
    files: ["test/**/*.ts"],
    plugins: { vitest },
    rules: {
      ...vitest.configs.recommended.rules,
      // A focused test silently drops every other test from the run.
      "vitest/no-focused-tests": ["error", { fixable: false }],
      "vitest/no-disabled-tests": "error",
      // Tests assert through helpers (expectRefused, runCli…) that vitest cannot see into.
      "vitest/expect-expect": "off",
      // expect(value, "what went wrong") is vitest's message form.
      "vitest/valid-expect": ["error", { maxArgs: 2 }],
      // Set-up that builds the state under test asserts on the way (a failed step fails every test after it).
      "vitest/no-standalone-expect": ["error", { additionalTestBlockFunctions: ["beforeAll", "beforeEach", "test", "test.each"] }],
      // Titles and callbacks come from describe.each and shared helpers (describeServer), which the rules cannot see through.
      "vitest/valid-title": "off",
      "vitest/valid-describe-callback": "off",
      // Conditionals here narrow a result already asserted (if (result.ok) …) or pick per generated case.
      "vitest/no-conditional-expect": "off",
      // The spawned binary's --json output is untyped JSON by nature; the assertions are its type check.
      "@typescript-eslint/no-unsafe-member-access": "off",
      "@typescript-eslint/no-unsafe-assignment": "off",
      "@typescript-eslint/no-unsafe-call": "off",
      "@typescript-eslint/no-unsafe-argument": "off",
      "@typescript-eslint/no-unsafe-return": "off",
    },
  },
);
