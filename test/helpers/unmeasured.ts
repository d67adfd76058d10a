// Children without coverage. tap measures coverage in every process a test file starts, not only in the
// test file: its process-info hook (process-on-spawn) hands each child V8's precise block coverage. For the
// tools the tests run (npm, tsc, esbuild, the CDK app) that is pure cost — tsc -p tsconfig.build.json takes
// 6.8 s plain and 14.3 s measured — and for the servers, the CLI and the stack's processes it measured lines
// the in-process tests already cover: the report was the same without them, for about a fifth of the
// suite's CPU time. So children run unmeasured, except where a child is the only thing that runs some
// lines (the create-aws-resources tool; test/sqlite's contending processes, which run src/ itself).
// An explicit _TAPJS_PROCESSINFO_COVERAGE_=0 in a child's environment is the one setting the hook keeps:
// the child (and what it starts) is still recorded, not measured.

/** Entries for an explicit child environment: that child, and what it starts, runs without coverage. */
export const unmeasured = { _TAPJS_PROCESSINFO_COVERAGE_: '0' } as const;

/** Every child this test process starts from now on runs without coverage, whatever environment it is given. */
export function startChildrenUnmeasured(): void {
  Object.assign(process.env, unmeasured);
}
