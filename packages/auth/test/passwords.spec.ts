import { hashPassword, verifyPassword } from '../src';

describe('passwords', () => {
  it('hash with scrypt, parameters stored with a per-password salt', async () => {
    const a = await hashPassword('correct horse');
    const b = await hashPassword('correct horse');
    expect(a).toMatch(/^scrypt\$32768\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
    expect(a).not.toBe(b);
    expect(a).not.toContain('correct horse');
  });

  it('verify the right password and refuse others', async () => {
    const stored = await hashPassword('s3cret!');
    expect(await verifyPassword('s3cret!', stored)).toBe(true);
    expect(await verifyPassword('s3cret', stored)).toBe(false);
    expect(await verifyPassword('', stored)).toBe(false);
  });

  it('verify hashes made with other (cheaper) parameters', async () => {
    const stored = await hashPassword('pw', { N: 1024, r: 8, p: 1, keylen: 32 });
    expect(await verifyPassword('pw', stored)).toBe(true);
  });

  it('refuse malformed or abusive stored hashes instead of throwing', async () => {
    for (const stored of ['', 'plain', 'scrypt$x$8$1$a$b', `scrypt$${2 ** 24}$8$1$AAAA$AAAA`, 'bcrypt$1$2$3$4$5']) {
      expect(await verifyPassword('pw', stored)).toBe(false);
    }
  });
});
