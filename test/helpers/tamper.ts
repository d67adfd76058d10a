// Tampering that always tampers. Replacing a character with a fixed one (say 'A') changes nothing when
// it already is that character (1 run in 64 for base64url), and the last character of base64url may
// carry only padding bits, which decoders drop: such a test passes or fails by chance.
const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/**
 * `text` with its base64url character at `index` (default the first) replaced by the one 32 places on in
 * the alphabet: always a different character whose top bit differs, so the decoded bytes differ too.
 */
export function flipBase64urlChar(text: string, index = 0): string {
  const position = BASE64URL.indexOf(text.charAt(index));
  if (position < 0) throw new Error(`not a base64url character at ${index} of ${JSON.stringify(text)}`);
  return `${text.slice(0, index)}${BASE64URL.charAt((position + 32) % 64)}${text.slice(index + 1)}`;
}

/** `url` with its `name` query parameter's first character flipped (see flipBase64urlChar). */
export function tamperQueryParam(url: string, name: string): string {
  const parsed = new URL(url);
  const value = parsed.searchParams.get(name);
  if (!value) throw new Error(`${url} has no ${name} parameter`);
  parsed.searchParams.set(name, flipBase64urlChar(value));
  return parsed.toString();
}
