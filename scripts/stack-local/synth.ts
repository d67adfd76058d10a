// `npm test`'s pretest, last step: the synthesised template the stack tests run (test/stack), brought up
// to date before the suite starts (installing infra/'s packages on a fresh clone, then the Lambda bundles
// and `cdk synth`), instead of by the first stack test: there, the other stack files waited on its lock,
// holding tap's job slots while one process worked. Nothing to do when infra/cdk.out is newer than its sources.
import { fileURLToPath } from 'node:url';
import { ensureSynth } from './template.ts';

ensureSynth(fileURLToPath(new URL('../..', import.meta.url)), (line) => console.log(`stack template: ${line}`));
