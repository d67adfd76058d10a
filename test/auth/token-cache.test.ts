import t from 'tap';
import { TokenCache } from '../../src/adapters/http/auth/token-cache.ts';

t.test('keeps at most maxEntries, dropping the least recently used', async (t) => {
  const cache = new TokenCache<number>(2);
  cache.set('a', 1);
  cache.set('b', 2);
  t.equal(cache.get('a'), 1, 'a is now the most recently used');
  cache.set('c', 3);
  t.equal(cache.size, 2);
  t.equal(cache.get('b'), undefined, 'b was evicted');
  t.equal(cache.get('a'), 1);
  t.equal(cache.get('c'), 3);
  cache.delete('a');
  t.equal(cache.get('a'), undefined);
});

t.test('size 0 caches nothing', async (t) => {
  const cache = new TokenCache<number>(0);
  cache.set('a', 1);
  t.equal(cache.get('a'), undefined);
});
