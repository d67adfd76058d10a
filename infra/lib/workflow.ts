// The state machine the API starts. The workflow's own files define it: workflow/state-machine.asl.json
// (ASL with ${…} DefinitionSubstitutions) and workflow/lambdas.json (one Lambda per entry, bundled at
// dist/lambda/<entry>.mjs by the root's `npm run build:lambda`). Until they exist, a placeholder that
// completes at once (and so marks nothing) stands in, so the API can be deployed and started.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { NagSuppressions, NODE_24_RUNTIME } from './nag.ts';
import { Construct } from 'constructs';
import { INPUT_PREFIX, VIDEO_PREFIX, WORKFLOW_STEP_ACTIONS, type WorkflowNeed } from '../../src/adapters/aws/iam-actions.ts';
import { LAMBDA_ENV, VIDEO_MODEL_ENV, type LambdaFunction } from '../../src/lambda-config.ts';

export interface LambdaEntry {
  id: string;
  entry: string;
  substitution: string;
  timeoutSeconds?: number;
  memoryMb?: number;
  needs?: WorkflowNeed[];
  /** x86_64 for a step that runs an x86-64 binary (StoreVideo's ffmpeg); arm64 otherwise. */
  architecture?: 'arm64' | 'x86_64';
  /** Files beside the bundle that go into this step's zip (scripts/build-lambda.mjs puts them there). */
  files?: string[];
}

export interface WorkflowProps {
  jobTable: dynamodb.ITable;
  /** The month's spend, settled by the steps that end a job. */
  usageTable: dynamodb.ITable;
  bucket: s3.IBucket;
  logRetention: logs.RetentionDays;
  /** Holds state-machine.asl.json and lambdas.json; default <repo>/workflow. */
  workflowDir: string;
  /** Holds the bundles <entry>.mjs; default <repo>/dist/lambda. */
  bundleDir: string;
  /** The model per category (context videoModelMusicVideo / videoModelAdCreative); unset → the code's default. */
  videoModels?: Partial<Record<keyof typeof VIDEO_MODEL_ENV, string>>;
  /** The operator's catalogue (context videoModelsFile), minified: VIDEO_MODELS_JSON of the functions that read it. */
  videoModelsJson?: string;
}

const ENTRY_FIELDS = ['id', 'entry', 'substitution', 'timeoutSeconds', 'memoryMb', 'needs', 'architecture', 'files'];

export function readLambdaEntries(file: string): LambdaEntry[] {
  const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
  if (!Array.isArray(parsed)) throw new Error(`${file}: expected an array of Lambda entries`);
  for (const e of parsed as LambdaEntry[]) {
    // A misspelt field (memoryMB for memoryMb) would otherwise fall back to a default without a word.
    const unknown = Object.keys(e ?? {}).filter((key) => !ENTRY_FIELDS.includes(key));
    if (unknown.length > 0) throw new Error(`${file}: ${String(e?.id)} has unknown field(s) ${unknown.join(', ')}; the fields are ${ENTRY_FIELDS.join(', ')}`);
    if (typeof e?.id !== 'string' || typeof e.entry !== 'string' || typeof e.substitution !== 'string') throw new Error(`${file}: every entry needs id, entry and substitution`);
    for (const need of e.needs ?? []) if (!(need in WORKFLOW_STEP_ACTIONS)) throw new Error(`${file}: ${e.id} needs "${need}", which is not one of ${Object.keys(WORKFLOW_STEP_ACTIONS).join(', ')}`);
  }
  return parsed as LambdaEntry[];
}

export class Workflow extends Construct {
  readonly stateMachine: sfn.StateMachine;
  readonly providerSecret: secretsmanager.Secret;
  readonly functions: lambda.Function[] = [];
  /** False while the workflow's files are absent and the placeholder stands in. */
  readonly real: boolean;

  constructor(scope: Construct, id: string, props: WorkflowProps) {
    super(scope, id);
    this.providerSecret = new secretsmanager.Secret(this, 'ProviderToken', {
      description: 'The video model provider API token (set its value after the first deploy)',
    });
    NagSuppressions.addResourceSuppressions(this.providerSecret, [
      { id: 'AwsSolutions-SMG4', reason: 'A third-party API token: it is rotated in the provider console, then stored here; no Lambda can rotate it.' },
    ]);

    const aslFile = join(props.workflowDir, 'state-machine.asl.json');
    const lambdasFile = join(props.workflowDir, 'lambdas.json');
    this.real = existsSync(aslFile) && existsSync(lambdasFile);
    const logGroup = new logs.LogGroup(this, 'ExecutionLogs', { retention: props.logRetention, removalPolicy: RemovalPolicy.DESTROY });
    const substitutions: Record<string, string> = {};
    let definitionBody: sfn.DefinitionBody;
    if (this.real) {
      for (const entry of readLambdaEntries(lambdasFile)) {
        const fn = this.step(entry, props);
        substitutions[entry.substitution] = fn.functionArn;
      }
      // Inline, not an S3 asset: the template shows the definition the stack deploys.
      definitionBody = sfn.DefinitionBody.fromString(readFileSync(aslFile, 'utf8'));
    } else {
      definitionBody = sfn.DefinitionBody.fromChainable(new sfn.Succeed(this, 'Placeholder', { comment: 'Stands in until workflow/state-machine.asl.json exists' }));
    }
    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      // Standard, not Express: the API calls DescribeExecution and StopExecution, which Express lacks.
      stateMachineType: sfn.StateMachineType.STANDARD,
      definitionBody,
      definitionSubstitutions: substitutions,
      timeout: Duration.hours(2),
      tracingEnabled: true,
      logs: { destination: logGroup, level: sfn.LogLevel.ALL, includeExecutionData: false },
    });
    // Exactly the step functions, not their versions or aliases (grantInvoke would add arn:…:*).
    if (this.functions.length > 0) {
      this.stateMachine.addToRolePolicy(new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: this.functions.map((f) => f.functionArn) }));
    }
    NagSuppressions.addResourceSuppressions(this.stateMachine, [
      { id: 'AwsSolutions-IAM5', reason: 'Step Functions log delivery (logs:*LogDelivery, DescribeLogGroups…) and X-Ray tracing (PutTraceSegments…) support no resource-level permissions.', appliesTo: ['Resource::*'] },
    ], true);
  }

  private step(entry: LambdaEntry, props: WorkflowProps): lambda.Function {
    const bundle = join(props.bundleDir, `${entry.entry}.mjs`);
    if (!existsSync(bundle)) {
      throw new Error(`${bundle} is missing: run \`npm run build:lambda\` in the repository root (infra's \`npm run synth\` does it for you)`);
    }
    const stack = Stack.of(this);
    const logGroup = new logs.LogGroup(this, `${entry.id}Logs`, { retention: props.logRetention, removalPolicy: RemovalPolicy.DESTROY });
    const role = new iam.Role(this, `${entry.id}Role`, { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'), description: `Workflow step ${entry.id}` });
    // The function writes only to its own log group (no AWSLambdaBasicExecutionRole, which allows every group).
    role.addToPolicy(new iam.PolicyStatement({ actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [`${logGroup.logGroupArn}`] }));
    const environment: Record<string, string> = { NODE_OPTIONS: '--enable-source-maps' };
    for (const need of entry.needs ?? []) {
      const actions = [...WORKFLOW_STEP_ACTIONS[need]];
      if (need === 'jobTable') {
        role.addToPolicy(new iam.PolicyStatement({ actions, resources: [props.jobTable.tableArn] }));
        environment.JOB_TABLE = props.jobTable.tableName;
      } else if (need === 'usageTable') {
        role.addToPolicy(new iam.PolicyStatement({ actions, resources: [props.usageTable.tableArn] }));
        environment.USAGE_TABLE = props.usageTable.tableName;
      } else if (need === 'bucket' || need === 'inputs') {
        // Each step's objects by prefix: StoreVideo writes videos/, StartGeneration reads inputs/ (start images).
        const prefix = need === 'bucket' ? VIDEO_PREFIX : INPUT_PREFIX;
        role.addToPolicy(new iam.PolicyStatement({ actions, resources: [props.bucket.arnForObjects(`${prefix}*`)] }));
        environment.ASSETS_BUCKET = props.bucket.bucketName;
      } else {
        role.addToPolicy(new iam.PolicyStatement({ actions, resources: [this.providerSecret.secretArn] }));
        environment.PROVIDER_SECRET_ARN = this.providerSecret.secretArn;
      }
    }
    // The chosen models go to the functions whose code reads them (lambda-config.ts's LAMBDA_ENV).
    const reads = LAMBDA_ENV[entry.entry as LambdaFunction]?.optional ?? [];
    for (const [category, model] of Object.entries(props.videoModels ?? {})) {
      const name = VIDEO_MODEL_ENV[category as keyof typeof VIDEO_MODEL_ENV];
      if (model && reads.includes(name)) environment[name] = model;
    }
    if (props.videoModelsJson && reads.includes('VIDEO_MODELS_JSON')) environment.VIDEO_MODELS_JSON = props.videoModelsJson;
    const fn = new lambda.Function(this, entry.id, {
      runtime: lambda.Runtime.NODEJS_24_X,
      architecture: entry.architecture === 'x86_64' ? lambda.Architecture.X86_64 : lambda.Architecture.ARM_64,
      handler: `${entry.entry}.handler`,
      // Only this step's bundle (and its source map, and its own files such as ffmpeg) goes into its zip.
      code: lambda.Code.fromAsset(props.bundleDir, { exclude: ['*', `!${entry.entry}.mjs`, `!${entry.entry}.mjs.map`, ...(entry.files ?? []).map((f) => `!${f}`)] }),
      timeout: Duration.seconds(entry.timeoutSeconds ?? 60),
      memorySize: entry.memoryMb ?? 512,
      role,
      logGroup,
      environment,
      tracing: lambda.Tracing.ACTIVE,
      description: `OmniGen workflow step ${entry.id} (${stack.stackName})`,
    });
    NagSuppressions.addResourceSuppressions(role, [
      { id: 'AwsSolutions-IAM5', reason: 'Log stream names are chosen by Lambda at run time; X-Ray PutTraceSegments supports no resource-level permission; objects are limited to the videos/ (or inputs/) prefix.', appliesTo: [{ regex: '/^Resource::(\\*|.*:\\*|.*\\/(videos|inputs)\\/\\*)$/g' }] },
    ], true);
    // Active tracing adds its own policy: X-Ray's PutTraceSegments/PutTelemetryRecords allow only "*".
    NagSuppressions.addResourceSuppressions(fn, [
      { id: 'AwsSolutions-IAM5', reason: 'X-Ray PutTraceSegments and PutTelemetryRecords support no resource-level permissions.', appliesTo: ['Resource::*'] },
      NODE_24_RUNTIME,
    ], true);
    this.functions.push(fn);
    return fn;
  }
}
