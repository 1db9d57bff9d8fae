/** Under CI (CI=true or 1) a missing tool or file the tests need fails the run instead of skipping. */
export const IN_CI = process.env.CI === "true" || process.env.CI === "1";
