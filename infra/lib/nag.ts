// cdk-nag is CommonJS whose re-exports Node's ESM loader cannot see by name: import it whole, once.
import nag from 'cdk-nag';

export const { AwsSolutionsChecks, NagSuppressions } = nag;
