// The assertion the test programs share: prints each passed check, throws on the first failure.
let passed = 0;

export function check(cond: unknown, what: string, detail?: unknown): asserts cond {
  if (!cond) {
    const extra = detail === undefined ? "" : `\n  got: ${JSON.stringify(detail)}`;
    throw new Error(`assertion failed: ${what}${extra}`);
  }
  passed++;
  console.log(`  ok  ${what}`);
}

/** Runs a test program: exits non-zero, naming the failure, if it throws. */
export async function run(name: string, main: () => Promise<void>): Promise<void> {
  try {
    await main();
    console.log(`${name}: ${passed} checks passed`);
  } catch (e) {
    console.error(`${name}: FAILED after ${passed} checks: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  }
}
