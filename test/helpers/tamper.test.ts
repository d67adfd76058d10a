// The tampering helper must never leave a value as it was, whatever character it meets.
import t from 'tap';
import { flipBase64urlChar, tamperQueryParam } from './tamper.ts';

t.test('every base64url character flips to another, and the decoded bytes change', async (t) => {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  for (const c of alphabet) {
    const text = `${c}BCD`;
    const flipped = flipBase64urlChar(text);
    t.not(flipped, text, `${c} changes`);
    t.notSame(Buffer.from(flipped, 'base64url'), Buffer.from(text, 'base64url'), `${c}: the bytes change`);
  }
  t.equal(flipBase64urlChar('abc.AAAA', 4), 'abc.gAAA', 'at a given index only');
  t.throws(() => flipBase64urlChar('a.b', 1), /not a base64url character/);
});

t.test('a query parameter is flipped in place', async (t) => {
  t.equal(tamperQueryParam('http://x/v?expires=1&signature=Abc', 'signature'), 'http://x/v?expires=1&signature=gbc');
  t.throws(() => tamperQueryParam('http://x/v', 'signature'), /no signature/);
});
