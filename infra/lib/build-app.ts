// One place that builds the app, for bin/app.ts and for the tests alike: the same feature flags, the
// same cdk-nag pack, so what the tests check is what `cdk synth` emits.
import { App, Aspects, type AppProps } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from './nag.ts';
import { OmniGenStack, type OmniGenStackProps } from './omnigen-stack.ts';
import { FEATURE_FLAGS, readSettings } from './settings.ts';

export interface BuildOptions extends Pick<OmniGenStackProps, 'imageDir' | 'workflowDir' | 'bundleDir'> {
  context?: Record<string, unknown>;
  outdir?: string;
}

export function buildApp(options: BuildOptions = {}): { app: App; stack: OmniGenStack } {
  const props: AppProps = { context: { ...FEATURE_FLAGS, ...options.context }, ...(options.outdir ? { outdir: options.outdir } : {}) };
  const app = new App(props);
  const settings = readSettings(app.node);
  const stack = new OmniGenStack(app, 'OmniGenApi', {
    // The region is fixed at synth (ALB log delivery and the hosted-UI URL depend on it); the account is
    // resolved at deploy, so synth needs no credentials and makes no lookup.
    env: { region: settings.region },
    settings,
    description: 'OmniGen API: ECS Fargate service, DynamoDB, S3, Cognito, Step Functions, Valkey, alarms',
    imageDir: options.imageDir,
    workflowDir: options.workflowDir,
    bundleDir: options.bundleDir,
  });
  Aspects.of(app).add(new AwsSolutionsChecks({ verbose: true }));
  return { app, stack };
}
