// cdk-nag is CommonJS whose re-exports Node's ESM loader cannot see by name: import it whole, once.
import nag from 'cdk-nag';

export const { AwsSolutionsChecks, NagSuppressions } = nag;

/**
 * Lambda also offers nodejs26.x now (AwsSolutions-L1 asks for the newest runtime); every function runs on
 * the one Node the whole project runs on and is typed for.
 */
export const NODE_24_RUNTIME = { id: 'AwsSolutions-L1', reason: 'Node 24 (LTS) is the runtime of the service, its image and its tests (@types/node 24); the functions stay on it with them.' };
