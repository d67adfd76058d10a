import { ProviderUnavailable } from '../../application/ports/video-model.ts';
import { GenerationFailed } from '../../domain/errors.ts';

export { ProviderUnavailable };

/** The HTTP status of the client's ApiError, if it is one. */
export function statusOf(err: unknown): number | undefined {
  const response = (err as { response?: { status?: unknown } } | null)?.response;
  return typeof response?.status === 'number' ? response.status : undefined;
}

/**
 * A failed API call as the workflow sees it: 422 (input the model refuses) → PROVIDER_REJECTED;
 * 429, 5xx and network errors → ProviderUnavailable (retried); any other status (401 bad token,
 * 402 no credit, 404 unknown model) is a configuration problem → PROVIDER_FAILED.
 */
export function providerError(err: unknown, action: string): Error {
  const status = statusOf(err);
  // The client's ApiError holds the request, Authorization header included: it is not kept as a cause,
  // so no log of these errors can carry the token. Its status says what is needed.
  if (status === undefined) return new ProviderUnavailable(`Replicate could not ${action}: ${(err as Error).message}`, { cause: err });
  if (status === 422) return new GenerationFailed('PROVIDER_REJECTED', `Replicate refused to ${action} (422)`);
  if (status === 429 || status >= 500) return new ProviderUnavailable(`Replicate could not ${action}: ${status}`);
  return new GenerationFailed('PROVIDER_FAILED', `Replicate refused to ${action} (${status})`);
}

// Replicate's safety checker and the models' own filters word it differently ("NSFW content detected",
// "flagged as sensitive (E005)", "content policy"): all mean the prompt was refused, not that the model broke.
const REFUSAL = /nsfw|flagged|sensitive|safety|content polic|moderation|E005/i;

/** A prediction that ended `failed`, by its `error` text. */
export function predictionFailure(error: unknown): GenerationFailed {
  const text = typeof error === 'string' ? error : JSON.stringify(error ?? 'unknown error');
  if (REFUSAL.test(text)) return new GenerationFailed('PROVIDER_REJECTED', `The model refused the prompt: ${text.slice(0, 200)}`);
  return new GenerationFailed('PROVIDER_FAILED', `The model failed: ${text.slice(0, 200)}`);
}
