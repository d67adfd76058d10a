// The IAM actions each AWS adapter calls, on which resource: the one source for the task role that
// infra/ deploys, for the policy quoted in docs/deploying.md (`npm run iam-policy`) and for the test
// that reads every adapter's SDK commands (test/aws/iam-actions.test.ts), so none of them can drift.
import { DELIVERY_INDEXES, JOB_INDEX, OUTBOX_INDEX } from './table-definitions.ts';

/** The stack's resources a statement can name. */
export type ResourceKind = 'jobTable' | 'jobIndex' | 'outboxIndex' | 'usageTable' | 'deliveriesByTarget' | 'deliveriesByJob' | 'deliveriesDue' | 'videoObjects' | 'uploadObjects' | 'inputObjects' | 'bucket' | 'stateMachine' | 'executions' | 'providerSecret' | 'deliveryQueue';

/** Finished videos live under this prefix; the task role may read nothing else in the bucket. */
export const VIDEO_PREFIX = 'videos/';
/** Callers' start images, posted straight to the bucket; a lifecycle rule deletes them after a day. */
export const UPLOAD_PREFIX = 'uploads/';
/** A job's own copy of its start image (inputs/<jobId>/…): no lifecycle rule touches it. */
export const INPUT_PREFIX = 'inputs/';

/** The action behind each SDK command an adapter sends (presigning a GetObject needs s3:GetObject too). */
export const ACTION_OF_COMMAND: Readonly<Record<string, string>> = {
  GetCommand: 'dynamodb:GetItem',
  PutCommand: 'dynamodb:PutItem',
  UpdateCommand: 'dynamodb:UpdateItem',
  DeleteCommand: 'dynamodb:DeleteItem',
  QueryCommand: 'dynamodb:Query',
  GetObjectCommand: 's3:GetObject',
  // HeadObject and HeadBucket have no actions of their own: S3 authorizes them as GetObject and ListBucket.
  HeadObjectCommand: 's3:GetObject',
  HeadBucketCommand: 's3:ListBucket',
  StartExecutionCommand: 'states:StartExecution',
  StopExecutionCommand: 'states:StopExecution',
  DescribeExecutionCommand: 'states:DescribeExecution',
  DescribeStateMachineCommand: 'states:DescribeStateMachine',
  PutObjectCommand: 's3:PutObject',
  DeleteObjectCommand: 's3:DeleteObject',
  GetSecretValueCommand: 'secretsmanager:GetSecretValue',
  // A batch is authorized as the single action (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-api-permissions-reference.html).
  SendMessageBatchCommand: 'sqs:SendMessage',
  // CopyObject is authorized as PutObject on the target and GetObject on the source.
  CopyObjectCommand: 's3:PutObject',
  // Not SDK commands (no request is sent) but what S3 checks when the signed form or copy is used.
  PresignedPostObject: 's3:PutObject',
  CopyObjectSource: 's3:GetObject',
};

/** Pseudo-commands above: permissions the task needs for requests signed but not sent by it. */
export const SIGNED_NOT_SENT = ['PresignedPostObject', 'CopyObjectSource'];

export interface AdapterAccess {
  /** The adapter's file in src/adapters/aws/. */
  file: string;
  uses: { resource: ResourceKind; commands: string[] }[];
}

/** What the API's adapters send, per file and resource. The usage table also holds idempotency claims. */
export const TASK_ADAPTERS: readonly AdapterAccess[] = [
  { file: 'dynamodb-job-repository.ts', uses: [{ resource: 'jobTable', commands: ['GetCommand', 'PutCommand', 'UpdateCommand'] }, { resource: 'jobIndex', commands: ['QueryCommand'] }] },
  // Webhooks: the outbox in the jobs table (its sparse index), endpoints and the delivery log in the usage table.
  { file: 'dynamodb-job-event-outbox.ts', uses: [{ resource: 'jobTable', commands: ['UpdateCommand'] }, { resource: 'outboxIndex', commands: ['QueryCommand'] }] },
  { file: 'dynamodb-webhook-endpoints.ts', uses: [{ resource: 'usageTable', commands: ['GetCommand', 'PutCommand', 'UpdateCommand'] }] },
  {
    file: 'dynamodb-webhook-deliveries.ts',
    uses: [
      { resource: 'usageTable', commands: ['GetCommand', 'PutCommand', 'UpdateCommand'] },
      { resource: 'deliveriesByTarget', commands: ['QueryCommand'] },
      { resource: 'deliveriesByJob', commands: ['QueryCommand'] },
      { resource: 'deliveriesDue', commands: ['QueryCommand'] },
    ],
  },
  { file: 'dynamodb-usage-ledger.ts', uses: [{ resource: 'usageTable', commands: ['GetCommand', 'UpdateCommand'] }] },
  { file: 'dynamodb-idempotency-store.ts', uses: [{ resource: 'usageTable', commands: ['GetCommand', 'PutCommand', 'DeleteCommand'] }] },
  { file: 'dynamodb-upload-repository.ts', uses: [{ resource: 'usageTable', commands: ['GetCommand', 'PutCommand', 'DeleteCommand'] }] },
  { file: 's3-video-storage.ts', uses: [{ resource: 'videoObjects', commands: ['HeadObjectCommand', 'GetObjectCommand'] }, { resource: 'bucket', commands: ['HeadBucketCommand'] }] },
  // Start images: the caller posts to uploads/ with a form the task signs; a job's copy goes to inputs/.
  {
    file: 's3-upload-storage.ts',
    uses: [
      { resource: 'uploadObjects', commands: ['PresignedPostObject', 'CopyObjectSource'] },
      { resource: 'inputObjects', commands: ['CopyObjectCommand', 'GetObjectCommand', 'DeleteObjectCommand'] },
    ],
  },
  {
    file: 'step-functions-workflow.ts',
    uses: [
      { resource: 'stateMachine', commands: ['StartExecutionCommand', 'DescribeStateMachineCommand'] },
      { resource: 'executions', commands: ['DescribeExecutionCommand', 'StopExecutionCommand'] },
    ],
  },
  // The provider's token, so a cancel also cancels the prediction (PROVIDER_SECRET_ARN on the API).
  { file: 'provider-token.ts', uses: [{ resource: 'providerSecret', commands: ['GetSecretValueCommand'] }] },
  // The dispatcher: due webhook deliveries handed to the delivery Lambda's queue.
  { file: 'sqs-delivery-queue.ts', uses: [{ resource: 'deliveryQueue', commands: ['SendMessageBatchCommand'] }] },
];

/**
 * What the webhook delivery Lambda sends (composition/lambda/deliver-webhooks.ts): take a queued claim
 * (a conditional UpdateItem) and store the attempt's outcome (PutItem); read the endpoint, disable it on
 * 410 Gone, read or create the user's default secret; sign the video URL of a job.completed message.
 */
export const DELIVERY_ADAPTERS: readonly AdapterAccess[] = [
  { file: 'dynamodb-webhook-deliveries.ts', uses: [{ resource: 'usageTable', commands: ['PutCommand', 'UpdateCommand'] }] },
  { file: 'dynamodb-webhook-endpoints.ts', uses: [{ resource: 'usageTable', commands: ['GetCommand', 'PutCommand', 'UpdateCommand'] }] },
  { file: 's3-video-storage.ts', uses: [{ resource: 'videoObjects', commands: ['HeadObjectCommand', 'GetObjectCommand'] }] },
];

/**
 * What Lambda's event source mapping does with the delivery function's role on its queue (the service
 * polls, the function's code never calls SQS): https://docs.aws.amazon.com/lambda/latest/dg/with-sqs.html#events-sqs-permissions
 */
export const EVENT_SOURCE_ACTIONS: readonly string[] = ['sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:ReceiveMessage'];

/**
 * What the workflow's Lambda steps send through the same adapters (composition/lambda-steps.ts): read and update a job
 * (the repository's update is a conditional UpdateItem, which also adds the job event to the item's outbox),
 * settle an ended job's cost in the month's spend, sign the provider's GET URL of a job's start image,
 * write and remove the video and its thumbnail, read the provider's token.
 */
export const WORKFLOW_ADAPTERS: readonly AdapterAccess[] = [
  { file: 'dynamodb-job-repository.ts', uses: [{ resource: 'jobTable', commands: ['GetCommand', 'UpdateCommand'] }] },
  // A job that ends settles its cost in the month's spend (one conditional UpdateItem).
  { file: 'dynamodb-usage-ledger.ts', uses: [{ resource: 'usageTable', commands: ['UpdateCommand'] }] },
  // Presigned, sent by the provider: S3 checks the signer's (the function's) s3:GetObject.
  { file: 's3-upload-storage.ts', uses: [{ resource: 'inputObjects', commands: ['GetObjectCommand'] }] },
  { file: 's3-video-storage.ts', uses: [{ resource: 'videoObjects', commands: ['PutObjectCommand', 'DeleteObjectCommand'] }] },
  { file: 'provider-token.ts', uses: [{ resource: 'providerSecret', commands: ['GetSecretValueCommand'] }] },
];

/** ARNs (or CloudFormation tokens) of the stack's resources. */
export interface ResourceArns {
  jobTable: string;
  usageTable: string;
  bucket: string;
  stateMachine: string;
  /** The state machine's name: execution ARNs are arn:…:execution:<name>:<execution>. */
  stateMachineName: string;
  /** `arn:aws:states:<region>:<account>` */
  statesPrefix: string;
  /** The Secrets Manager secret holding the video model provider's token. */
  providerSecret: string;
  /** The SQS queue of webhook deliveries (its ARN). */
  deliveryQueue: string;
}

export interface PolicyStatement {
  Sid: string;
  Effect: 'Allow';
  Action: string[];
  Resource: string;
}

const SIDS: Record<ResourceKind, string> = {
  jobTable: 'JobsTable',
  jobIndex: 'JobsByUserIndex',
  outboxIndex: 'JobEventsOutboxIndex',
  deliveriesByTarget: 'WebhookDeliveriesByEndpoint',
  deliveriesByJob: 'WebhookDeliveriesByJob',
  deliveriesDue: 'WebhookDeliveriesDue',
  usageTable: 'UsageAndIdempotencyTable',
  videoObjects: 'ReadVideos',
  uploadObjects: 'SignUploadsAndCopyThem',
  inputObjects: 'JobStartImages',
  bucket: 'BucketReadiness',
  stateMachine: 'StartWorkflow',
  executions: 'WatchAndStopOwnExecutions',
  providerSecret: 'ReadProviderToken',
  deliveryQueue: 'QueueWebhookDeliveries',
};

export function resourceArn(kind: ResourceKind, arns: ResourceArns): string {
  switch (kind) {
    case 'jobTable': return arns.jobTable;
    case 'jobIndex': return `${arns.jobTable}/index/${JOB_INDEX}`;
    case 'outboxIndex': return `${arns.jobTable}/index/${OUTBOX_INDEX}`;
    case 'deliveriesByTarget': return `${arns.usageTable}/index/${DELIVERY_INDEXES.byTarget.name}`;
    case 'deliveriesByJob': return `${arns.usageTable}/index/${DELIVERY_INDEXES.byJob.name}`;
    case 'deliveriesDue': return `${arns.usageTable}/index/${DELIVERY_INDEXES.due.name}`;
    case 'usageTable': return arns.usageTable;
    case 'videoObjects': return `${arns.bucket}/${VIDEO_PREFIX}*`;
    case 'uploadObjects': return `${arns.bucket}/${UPLOAD_PREFIX}*`;
    case 'inputObjects': return `${arns.bucket}/${INPUT_PREFIX}*`;
    case 'bucket': return arns.bucket;
    case 'stateMachine': return arns.stateMachine;
    // Execution names are job ids, unknown in advance: every execution of this one state machine.
    case 'executions': return `${arns.statesPrefix}:execution:${arns.stateMachineName}:*`;
    case 'providerSecret': return arns.providerSecret;
    case 'deliveryQueue': return arns.deliveryQueue;
  }
}

/** One statement per resource, its actions de-duplicated and sorted, in the order the adapters (TASK_ADAPTERS by default) name them. */
export function taskRoleStatements(arns: ResourceArns, adapters: readonly AdapterAccess[] = TASK_ADAPTERS): PolicyStatement[] {
  const byResource = new Map<ResourceKind, Set<string>>();
  for (const { uses } of adapters) {
    for (const { resource, commands } of uses) {
      const actions = byResource.get(resource) ?? new Set<string>();
      for (const command of commands) {
        const action = ACTION_OF_COMMAND[command];
        if (!action) throw new Error(`no IAM action known for ${command}: add it to ACTION_OF_COMMAND`);
        actions.add(action);
      }
      byResource.set(resource, actions);
    }
  }
  return [...byResource].map(([kind, actions]) => ({ Sid: SIDS[kind], Effect: 'Allow', Action: [...actions].sort(), Resource: resourceArn(kind, arns) }));
}

/** The actions the workflow adapters send on one resource, sorted. */
function workflowActions(resource: ResourceKind): string[] {
  const commands = WORKFLOW_ADAPTERS.flatMap((a) => a.uses).filter((u) => u.resource === resource).flatMap((u) => u.commands);
  return [...new Set(commands.map((c) => ACTION_OF_COMMAND[c] as string))].sort();
}

/** What each workflow step may be given (workflow/lambdas.json names these as `needs`), from WORKFLOW_ADAPTERS. */
export const WORKFLOW_STEP_ACTIONS: Readonly<Record<'jobTable' | 'usageTable' | 'bucket' | 'inputs' | 'providerSecret', readonly string[]>> = {
  jobTable: workflowActions('jobTable'),
  // The month's spend, settled when a step ends a job.
  usageTable: workflowActions('usageTable'),
  // Objects under videos/ only: the video and its thumbnail.
  bucket: workflowActions('videoObjects'),
  // Objects under inputs/ only: jobs' start images, read by the provider through a URL the step signs.
  inputs: workflowActions('inputObjects'),
  providerSecret: workflowActions('providerSecret'),
};

export type WorkflowNeed = keyof typeof WORKFLOW_STEP_ACTIONS;
