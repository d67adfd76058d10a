import { DeleteCommand, GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { UploadRepository } from '../../application/ports/upload-repository.ts';
import { isImageType } from '../../domain/image-info.ts';
import type { Upload } from '../../domain/upload.ts';
import { callAws } from './aws-errors.ts';
import { TTL_ATTRIBUTE, USAGE_PK, USAGE_SK } from './table-definitions.ts';

const keyOf = (uploadId: string) => ({ [USAGE_PK]: `UPLOAD#${uploadId}`, [USAGE_SK]: 'UPLOAD' });

/**
 * Uploads in the usage table, beside the idempotency claims (the contract's two tables suffice). The TTL
 * attribute lets DynamoDB drop a record after its expiresAt; S3's lifecycle rule drops the file.
 */
export class DynamoDbUploadRepository implements UploadRepository {
  private readonly db: DynamoDBDocumentClient;
  private readonly tableName: string;
  constructor(
    db: DynamoDBDocumentClient,
    tableName: string,
  ) {
    this.db = db;
    this.tableName = tableName;
  }

  async create(upload: Upload): Promise<void> {
    await callAws('DynamoDB', () => this.db.send(new PutCommand({
      TableName: this.tableName,
      Item: { ...keyOf(upload.uploadId), ...upload, [TTL_ATTRIBUTE]: Math.ceil(Date.parse(upload.expiresAt) / 1000) },
      ConditionExpression: 'attribute_not_exists(#pk)',
      ExpressionAttributeNames: { '#pk': USAGE_PK },
    })));
  }

  async get(uploadId: string): Promise<Upload | undefined> {
    const { Item: item } = await callAws('DynamoDB', () => this.db.send(new GetCommand({ TableName: this.tableName, Key: keyOf(uploadId), ConsistentRead: true })));
    if (!item || !isImageType(item.contentType)) return undefined;
    const text = (name: string) => String(item[name]);
    return {
      uploadId: text('uploadId'), userId: text('userId'), key: text('key'), contentType: item.contentType,
      sizeBytes: Number(item.sizeBytes), createdAt: text('createdAt'), expiresAt: text('expiresAt'),
    };
  }

  /** None: in aws mode S3's lifecycle rule and DynamoDB's TTL expire uploads; nothing sweeps. */
  async listExpired(): Promise<Upload[]> {
    return [];
  }

  async remove(uploadId: string): Promise<void> {
    await callAws('DynamoDB', () => this.db.send(new DeleteCommand({ TableName: this.tableName, Key: keyOf(uploadId) })));
  }
}
