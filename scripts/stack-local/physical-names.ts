// The names and ARNs CloudFormation would give each resource (Ref and Fn::GetAtt), made up the way it
// makes them up: the stack name, the logical id and a stable suffix. ARNs follow each service's format
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html) with the fake account id, so
// the template's policies name exactly the resources the stand-ins serve.
import { createHash } from 'node:crypto';
import type { Template } from './template.ts';

/** A stable 12-character suffix, as CloudFormation appends to generated names. */
function suffix(stack: string, id: string, length = 12): string {
  return createHash('sha256').update(`${stack}/${id}`).digest('hex').slice(0, length).toUpperCase();
}

export function physicalAttributes(template: Template, id: string): Record<string, string> {
  const { region, stackName: stack } = template;
  const account = template.ref('AWS::AccountId');
  const type = template.resource(id).Type;
  const name = `${stack}-${id}-${suffix(stack, id)}`;
  switch (type) {
    case 'AWS::DynamoDB::Table': {
      const arn = `arn:aws:dynamodb:${region}:${account}:table/${name}`;
      return { Ref: name, Arn: arn, StreamArn: `${arn}/stream/1970-01-01T00:00:00.000` };
    }
    case 'AWS::S3::Bucket': {
      const bucket = name.toLowerCase().slice(0, 63);
      return { Ref: bucket, Arn: `arn:aws:s3:::${bucket}`, DomainName: `${bucket}.s3.amazonaws.com`, RegionalDomainName: `${bucket}.s3.${region}.amazonaws.com` };
    }
    case 'AWS::SecretsManager::Secret': {
      const arn = `arn:aws:secretsmanager:${region}:${account}:secret:${id}-${suffix(stack, id, 6).toLowerCase()}`;
      return { Ref: arn, Id: arn };
    }
    case 'AWS::SQS::Queue': {
      // Ref is the queue's URL (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-sqs-queue.html#aws-resource-sqs-queue-return-values).
      const url = `https://sqs.${region}.amazonaws.com/${account}/${name}`;
      return { Ref: url, QueueUrl: url, QueueName: name, Arn: `arn:aws:sqs:${region}:${account}:${name}` };
    }
    case 'AWS::Lambda::Function':
      return { Ref: name, Arn: `arn:aws:lambda:${region}:${account}:function:${name}` };
    case 'AWS::StepFunctions::StateMachine': {
      const arn = `arn:aws:states:${region}:${account}:stateMachine:${id}-${suffix(stack, id)}`;
      return { Ref: arn, Arn: arn, Name: `${id}-${suffix(stack, id)}` };
    }
    case 'AWS::IAM::Role':
      return { Ref: name, Arn: `arn:aws:iam::${account}:role/${name}`, RoleId: `AROA${suffix(stack, id, 17)}` };
    case 'AWS::Logs::LogGroup':
      return { Ref: name, Arn: `arn:aws:logs:${region}:${account}:log-group:${name}:*` };
    case 'AWS::Cognito::UserPool': {
      const pool = `${region}_${suffix(stack, id, 9)}`;
      return { Ref: pool, Arn: `arn:aws:cognito-idp:${region}:${account}:userpool/${pool}`, ProviderName: `cognito-idp.${region}.amazonaws.com/${pool}` };
    }
    case 'AWS::Cognito::UserPoolClient':
      return { Ref: suffix(stack, id, 26).toLowerCase(), ClientId: suffix(stack, id, 26).toLowerCase() };
    case 'AWS::Cognito::UserPoolDomain':
      return { Ref: template.string(template.resource(id).Properties?.Domain) };
    case 'AWS::ECS::Cluster':
      return { Ref: name, Arn: `arn:aws:ecs:${region}:${account}:cluster/${name}` };
    default:
      // Whatever no stand-in serves (VPC, load balancer, alarms): a readable placeholder.
      return { Ref: name, Arn: `arn:aws:local:${region}:${account}:${id}` };
  }
}
