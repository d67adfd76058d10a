// The two shapes of the stack the tests check: with the placeholder workflow, and with steps from
// the fixture workflow/ and stub bundles (so no build of the real Lambdas is needed).
import { join } from 'node:path';
import { FIXTURES, synth } from './helpers.ts';

export function helpersFor(options: { workflow?: boolean }) {
  return options.workflow ? synth({ workflowDir: join(FIXTURES, 'workflow'), bundleDir: join(FIXTURES, 'lambda') }) : synth();
}
