// What an AWS request asks IAM for: the action and the resource ARN(s), read off the wire as each
// service's protocol puts them (JSON protocols: the X-Amz-Target header and the body; S3: the REST
// method, path and query), and the access key id the caller signed with (SigV4 header or presigned query).
// https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html
export type Service = 'dynamodb' | 's3' | 'states' | 'secretsmanager' | 'sqs';

export interface AwsRequest {
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

export interface Access {
  action: string;
  resources: string[];
}

const TARGET_PREFIX: Record<Exclude<Service, 's3'>, string> = { dynamodb: 'DynamoDB_20120810.', states: 'AWSStepFunctions.', secretsmanager: 'secretsmanager.', sqs: 'AmazonSQS.' };

/** SQS authorizes each batch operation as its single one (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-api-permissions-reference.html). */
const SQS_BATCH: Record<string, string> = { SendMessageBatch: 'SendMessage', DeleteMessageBatch: 'DeleteMessage', ChangeMessageVisibilityBatch: 'ChangeMessageVisibility' };

const header = (req: AwsRequest, name: string): string => String(req.headers[name] ?? '');

/** The access key id of the signature (Authorization header, presigned URL, or a presigned POST's form). */
export function accessKeyOf(req: AwsRequest): string | undefined {
  const fromHeader = /Credential=([^/,\s]+)\//.exec(header(req, 'authorization'))?.[1];
  if (fromHeader) return fromHeader;
  const query = new URL(req.url, 'http://x').searchParams;
  const fromQuery = query.get('X-Amz-Credential') ?? query.get('AWSAccessKeyId');
  if (fromQuery) return fromQuery.split('/')[0];
  return /name="x-amz-credential"\r\n\r\n([^/\r]+)\//i.exec(req.body.toString('latin1'))?.[1];
}

export function accessOf(service: Service, req: AwsRequest, arn: { region: string; account: string }): Access {
  if (service === 's3') return s3Access(req);
  const target = header(req, 'x-amz-target');
  const operation = target.startsWith(TARGET_PREFIX[service]) ? target.slice(TARGET_PREFIX[service].length) : target;
  let body: Record<string, unknown> = {};
  try {
    body = JSON.parse(req.body.toString('utf8') || '{}') as Record<string, unknown>;
  } catch {
    // A malformed body: the stand-in itself answers it; IAM sees the action on no named resource.
  }
  const action = `${service}:${service === 'sqs' ? (SQS_BATCH[operation] ?? operation) : operation}`;
  if (service === 'dynamodb') {
    const table = (name: unknown) => `arn:aws:dynamodb:${arn.region}:${arn.account}:table/${String(name)}`;
    if (body.RequestItems && typeof body.RequestItems === 'object') return { action, resources: Object.keys(body.RequestItems).map(table) };
    const index = typeof body.IndexName === 'string' ? `/index/${body.IndexName}` : '';
    return { action, resources: [`${table(body.TableName)}${index}`] };
  }
  if (service === 'states') return { action, resources: [String(body.executionArn ?? body.stateMachineArn ?? '*')] };
  if (service === 'sqs') {
    // A queue is named by its URL (…/<account>/<name>), or by name and owner (GetQueueUrl).
    const [, account, name] = /\/(\d{12})\/([^/]+)$/.exec(String(body.QueueUrl ?? '')) ?? [undefined, String(body.QueueOwnerAWSAccountId ?? arn.account), String(body.QueueName ?? '*')];
    return { action, resources: [`arn:aws:sqs:${arn.region}:${account}:${name}`] };
  }
  return { action, resources: [String(body.SecretId ?? '*')] };
}

/** S3's REST API, path-style (the SDK uses it for an endpoint that is an IP address): /bucket/key?query. */
function s3Access(req: AwsRequest): Access {
  const url = new URL(req.url, 'http://x');
  const [bucket = '', ...rest] = url.pathname.slice(1).split('/');
  const key = decodeURIComponent(rest.join('/'));
  const q = url.searchParams;
  const object = (k: string) => `arn:aws:s3:::${decodeURIComponent(bucket)}/${k}`;
  const bucketArn = `arn:aws:s3:::${decodeURIComponent(bucket)}`;
  const m = req.method.toUpperCase();
  if (!key) {
    if (m === 'POST' && q.has('delete')) return { action: 's3:DeleteObject', resources: deletedKeys(req.body).map(object) };
    // A browser upload (presigned POST): the object's key is a form field.
    if (m === 'POST') return { action: 's3:PutObject', resources: [object(/name="key"\r\n\r\n([^\r]*)/i.exec(req.body.toString('latin1'))?.[1] ?? '')] };
    if (m === 'PUT') return { action: 's3:CreateBucket', resources: [bucketArn] };
    if (m === 'DELETE') return { action: 's3:DeleteBucket', resources: [bucketArn] };
    if (q.has('location')) return { action: 's3:GetBucketLocation', resources: [bucketArn] };
    // HeadBucket and ListObjects are both authorised as s3:ListBucket.
    return { action: 's3:ListBucket', resources: [bucketArn] };
  }
  if (m === 'GET' || m === 'HEAD') return { action: 's3:GetObject', resources: [object(key)] };
  if (m === 'DELETE') return { action: q.has('uploadId') ? 's3:AbortMultipartUpload' : 's3:DeleteObject', resources: [object(key)] };
  return { action: 's3:PutObject', resources: [object(key)] };
}

function deletedKeys(body: Buffer): string[] {
  return [...body.toString('utf8').matchAll(/<Key>([^<]*)<\/Key>/g)].map((match) => match[1] as string);
}
