import { createHmac, timingSafeEqual } from 'node:crypto';
import { ValidationError } from '../domain/errors.ts';
import type { JobPosition } from './ports/job-repository.ts';

/**
 * Opaque, tamper-evident list cursors: base64url(JSON) + "." + HMAC over it and the caller's id.
 * A cursor edited, or replayed by another user, fails the check and is refused (400), so it can
 * never steer a listing outside the caller's own jobs.
 */
export class JobCursor {
  private readonly secret: string;
  constructor(secret: string) {
    this.secret = secret;
  }

  encode(userId: string, position: JobPosition): string {
    const body = Buffer.from(JSON.stringify([position.createdAt, position.jobId])).toString('base64url');
    return `${body}.${this.sign(userId, body)}`;
  }

  decode(userId: string, cursor: string): JobPosition {
    const [body, mac, extra] = cursor.split('.');
    if (body && mac && extra === undefined) {
      const expected = Buffer.from(this.sign(userId, body));
      const given = Buffer.from(mac);
      if (given.length === expected.length && timingSafeEqual(given, expected)) {
        const parsed: unknown = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
        if (Array.isArray(parsed) && typeof parsed[0] === 'string' && typeof parsed[1] === 'string') {
          return { createdAt: parsed[0], jobId: parsed[1] };
        }
      }
    }
    throw new ValidationError('cursor', 'format', 'cursor is not valid for this listing');
  }

  private sign(userId: string, body: string): string {
    return createHmac('sha256', this.secret).update(userId).update('\0').update(body).digest('base64url');
  }
}
