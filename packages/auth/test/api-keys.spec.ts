import { API_KEY_PATTERN, apiKeyMatches, generateApiKey, hashApiKey, parseApiKey } from '../src';

describe('API keys', () => {
  it('look like apk_<id>_<secret><checksum> and parse back to their id', () => {
    const { key, id, hash } = generateApiKey();
    expect(key).toMatch(API_KEY_PATTERN);
    expect(key.startsWith(`apk_${id}_`)).toBe(true);
    expect(parseApiKey(key)).toEqual({ id });
    expect(hash).toBe(hashApiKey(key));
    expect(hash).not.toContain(key.slice(17));
  });

  it('are unique', () => {
    const keys = new Set(Array.from({ length: 200 }, () => generateApiKey().key));
    expect(keys.size).toBe(200);
  });

  it('reject every single-character typo and truncation by checksum, without a lookup', () => {
    const { key } = generateApiKey();
    let rejected = 0;
    let tried = 0;
    for (let i = 17; i < key.length; i++) {
      const swapped = key.slice(0, i) + (key[i] === 'a' ? 'b' : 'a') + key.slice(i + 1);
      tried++;
      if (parseApiKey(swapped) === null) rejected++;
    }
    expect(rejected).toBe(tried);
    expect(parseApiKey(key.slice(0, -1))).toBeNull();
    expect(parseApiKey(`${key}x`)).toBeNull();
    expect(parseApiKey('apk_short_key')).toBeNull();
    expect(parseApiKey('')).toBeNull();
  });

  it('match only their own stored hash', () => {
    const a = generateApiKey();
    const b = generateApiKey();
    expect(apiKeyMatches(a.key, a.hash)).toBe(true);
    expect(apiKeyMatches(a.key, b.hash)).toBe(false);
    expect(apiKeyMatches(a.key, 'not-hex')).toBe(false);
  });
});
