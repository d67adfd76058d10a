// IAM in front of a stand-in: each request is mapped to its action and resource, its role found by the
// access key it was signed with, and it reaches the stand-in only when the role's policies allow it.
// Otherwise the caller gets what AWS answers: AccessDeniedException in the JSON protocols' error shape
// (`__type`), or S3's 403 AccessDenied XML; an unknown key is UnrecognizedClientException / InvalidAccessKeyId.
import { randomUUID } from 'node:crypto';
import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { accessKeyOf, accessOf, type AwsRequest, type Service } from './aws-requests.ts';
import type { IamPolicies } from './iam-policies.ts';

export interface Decision {
  service: Service;
  role: string;
  action: string;
  resource: string;
  allowed: boolean;
}

export interface IamProxy {
  endpoint: string;
  /** Every decision, in order (tests read the denials). */
  decisions: Decision[];
  close(): Promise<void>;
}

const JSON_TYPE: Record<Exclude<Service, 's3'>, { contentType: string; namespace: string; messageKey: string }> = {
  dynamodb: { contentType: 'application/x-amz-json-1.0', namespace: 'com.amazonaws.dynamodb.v20120810#', messageKey: 'Message' },
  states: { contentType: 'application/x-amz-json-1.0', namespace: '', messageKey: 'message' },
  secretsmanager: { contentType: 'application/x-amz-json-1.1', namespace: '', messageKey: 'Message' },
  sqs: { contentType: 'application/x-amz-json-1.0', namespace: 'com.amazonaws.sqs#', messageKey: 'message' },
};

export async function startIamProxy(service: Service, upstream: string, iam: IamPolicies, arn: { region: string; account: string }): Promise<IamProxy> {
  const target = new URL(upstream);
  const decisions: Decision[] = [];
  const server: Server = createServer((req, res) => void handle(req, res).catch((err: unknown) => {
    if (!res.headersSent) res.writeHead(502, { 'content-type': 'text/plain' });
    res.end(`stack:local proxy: ${String(err)}`);
  }));

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const message: AwsRequest = { method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers, body: Buffer.concat(chunks) };
    const key = accessKeyOf(message);
    const role = key ? iam.byAccessKey(key) : undefined;
    if (!role) return refuse(res, message, service, 'unknown-key', `The security token included in the request is invalid (access key ${key ?? 'none'}).`);
    const access = accessOf(service, message, arn);
    for (const resource of access.resources) {
      const allowed = iam.allows(role, access.action, resource);
      decisions.push({ service, role: role.id, action: access.action, resource, allowed });
      if (!allowed) {
        const text = `User: arn:aws:sts::${arn.account}:assumed-role/${role.name}/stack-local is not authorized to perform: ${access.action} on resource: ${resource} because no identity-based policy allows the ${access.action} action`;
        return refuse(res, message, service, 'denied', text);
      }
    }
    await forward(message, res);
  }

  function forward(message: AwsRequest, res: ServerResponse): Promise<void> {
    return new Promise((resolve, reject) => {
      // No pooled sockets toward the stand-in: its server closes at once when the stack stops.
      const out = request({ host: target.hostname, port: target.port, method: message.method, path: message.url, headers: message.headers, agent: false }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
        answer.once('end', resolve).once('error', reject);
      });
      out.once('error', reject);
      out.end(message.body);
    });
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    decisions,
    close: () => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))),
  };
}

function refuse(res: ServerResponse, req: AwsRequest, service: Service, why: 'unknown-key' | 'denied', message: string): void {
  const requestId = randomUUID();
  if (service === 's3') {
    const code = why === 'denied' ? 'AccessDenied' : 'InvalidAccessKeyId';
    res.writeHead(403, { 'content-type': 'application/xml', 'x-amz-request-id': requestId });
    // A HEAD answer has no body; the SDK then reports the status (403 → Forbidden / AccessDenied).
    if (req.method === 'HEAD') return void res.end();
    return void res.end(`<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${escapeXml(message)}</Message><RequestId>${requestId}</RequestId></Error>`);
  }
  const shape = JSON_TYPE[service];
  const type = why === 'denied' ? 'AccessDeniedException' : 'UnrecognizedClientException';
  res.writeHead(400, { 'content-type': shape.contentType, 'x-amzn-requestid': requestId });
  res.end(JSON.stringify({ __type: `${shape.namespace}${type}`, [shape.messageKey]: message }));
}

function escapeXml(text: string): string {
  return text.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);
}
