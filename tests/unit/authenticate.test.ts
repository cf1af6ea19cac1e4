import crypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { dkimSign } from 'mailauth/lib/dkim/sign';
import {
  authenticate,
  cachingResolver,
  parseAuthenticationResults,
  tableResolver,
  trustedAuthenticationResults,
} from '../../src/mail/authenticate';

function rsaKey() {
  const { privateKey, publicKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  const der = publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
  return {
    privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    txt: `v=DKIM1; k=rsa; p=${der}`,
  };
}

function ed25519Key() {
  const { privateKey, publicKey } = crypto.generateKeyPairSync('ed25519');
  // The DNS record carries the raw 32-byte key (RFC 8463), the last 32 bytes of the SPKI form.
  const raw = publicKey.export({ type: 'spki', format: 'der' }).subarray(-32).toString('base64');
  return {
    privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    txt: `v=DKIM1; k=ed25519; p=${raw}`,
  };
}

const shop = rsaKey();
const other = ed25519Key();

const table = {
  'TXT sel._domainkey.shop.test': [[shop.txt]],
  'TXT ed._domainkey.other.test': [[other.txt]],
  'TXT _dmarc.shop.test': [['v=DMARC1; p=reject']],
  'TXT _dmarc.strict.test': [['v=DMARC1; p=quarantine; adkim=s']],
  'TXT sel._domainkey.strict.test': [[shop.txt]],
  'TXT _dmarc.flaky.test': 'TEMPFAIL',
};
const resolver = tableResolver(table);

function message(from: string, extraHeaders = '', body = 'Hello,\r\nplease help.\r\n'): string {
  return (
    `${extraHeaders}From: Ann <${from}>\r\nTo: support@desk.test\r\nSubject: Help\r\n` +
    `Message-ID: <m1@shop.test>\r\nDate: Mon, 30 Nov 2026 10:00:00 +0000\r\n\r\n${body}`
  );
}

async function signed(raw: string, domain: string, selector: string, privateKey: string, algorithm?: string) {
  const { signatures, errors } = await dkimSign(raw, {
    signatureData: [{ signingDomain: domain, selector, privateKey, algorithm }],
  } as never);
  expect(errors).toEqual([]);
  return signatures + raw;
}

describe('authenticate', () => {
  it('passes an aligned DKIM signature', async () => {
    const raw = await signed(message('ann@shop.test'), 'shop.test', 'sel', shop.privateKey);
    const verdict = await authenticate({
      raw,
      fromAddress: 'ann@shop.test',
      trustedAuthservIds: [],
      resolver,
    });
    expect(verdict).toMatchObject({ result: 'pass', via: 'dkim', temporary: false });
    expect(verdict.dkim).toEqual([
      expect.objectContaining({ domain: 'shop.test', result: 'pass', aligned: true }),
    ]);
    expect(verdict.dmarc).toMatchObject({ published: true, policy: 'reject', alignment: 'relaxed' });
  });

  it('passes a subdomain From under relaxed alignment, not under strict', async () => {
    const relaxed = await signed(message('ann@mail.shop.test'), 'shop.test', 'sel', shop.privateKey);
    expect(
      (
        await authenticate({
          raw: relaxed,
          fromAddress: 'ann@mail.shop.test',
          trustedAuthservIds: [],
          resolver,
        })
      ).result
    ).toBe('pass');
    const strict = await signed(message('ann@mail.strict.test'), 'strict.test', 'sel', shop.privateKey);
    const verdict = await authenticate({
      raw: strict,
      fromAddress: 'ann@mail.strict.test',
      trustedAuthservIds: [],
      resolver,
    });
    expect(verdict.dmarc.alignment).toBe('strict');
    expect(verdict.result).toBe('fail');
  });

  it('does not take a valid signature of another domain for the From domain', async () => {
    const raw = await signed(
      message('ann@shop.test'),
      'other.test',
      'ed',
      other.privateKey,
      'ed25519-sha256'
    );
    const verdict = await authenticate({
      raw,
      fromAddress: 'ann@shop.test',
      trustedAuthservIds: [],
      resolver,
    });
    expect(verdict.dkim).toEqual([
      expect.objectContaining({ domain: 'other.test', result: 'pass', aligned: false }),
    ]);
    expect(verdict.result).toBe('fail');
    expect(verdict.reason).toContain('signed by other.test, which is not the From domain');
  });

  it('fails a tampered body', async () => {
    const raw = (await signed(message('ann@shop.test'), 'shop.test', 'sel', shop.privateKey)).replace(
      'please help',
      'please pay'
    );
    const verdict = await authenticate({
      raw,
      fromAddress: 'ann@shop.test',
      trustedAuthservIds: [],
      resolver,
    });
    expect(verdict.dkim[0]).toMatchObject({ result: 'neutral', aligned: false });
    expect(verdict.result).toBe('fail');
    expect(verdict.reason).toContain('did not verify (body hash did not verify)');
  });

  it('an unsigned mail: fail where DMARC is published, none where it is not', async () => {
    const published = await authenticate({
      raw: message('ann@shop.test'),
      fromAddress: 'ann@shop.test',
      trustedAuthservIds: [],
      resolver,
    });
    expect(published).toMatchObject({ result: 'fail', via: null });
    const unpublished = await authenticate({
      raw: message('bob@nodmarc.test'),
      fromAddress: 'bob@nodmarc.test',
      trustedAuthservIds: [],
      resolver,
    });
    expect(unpublished).toMatchObject({ result: 'none', temporary: false });
    expect(unpublished.reason).toContain('publishes no DMARC record');
  });

  it('reads Authentication-Results only from a trusted authserv-id, the topmost one', async () => {
    const header =
      'Authentication-Results: mx.desk.test; spf=fail smtp.mailfrom=shop.test; dkim=none; dmarc=fail header.from=shop.test\r\n' +
      'Authentication-Results: mx.desk.test; dmarc=pass header.from=shop.test\r\n';
    const trusted = await authenticate({
      raw: message('ann@shop.test', header),
      fromAddress: 'ann@shop.test',
      trustedAuthservIds: ['MX.desk.test'],
      resolver,
    });
    // The second header lies below ours: the sender wrote it.
    expect(trusted).toMatchObject({
      result: 'fail',
      via: 'authentication-results',
      authservId: 'mx.desk.test',
    });

    const forged = 'Authentication-Results: mx.desk.test; dmarc=pass header.from=nodmarc.test\r\n';
    const untrusted = await authenticate({
      raw: message('bob@nodmarc.test', forged),
      fromAddress: 'bob@nodmarc.test',
      trustedAuthservIds: ['mx.other.test'],
      resolver,
    });
    expect(untrusted).toMatchObject({ result: 'none', via: null });

    const pass = await authenticate({
      raw: message(
        'bob@nodmarc.test',
        'Authentication-Results: mx.desk.test (ok); spf=pass smtp.mailfrom=bob@nodmarc.test\r\n'
      ),
      fromAddress: 'bob@nodmarc.test',
      trustedAuthservIds: ['mx.desk.test'],
      resolver,
    });
    expect(pass).toMatchObject({ result: 'pass', via: 'authentication-results' });
  });

  it('a DNS failure gives a temporary none, never a crash or a fail', async () => {
    const verdict = await authenticate({
      raw: message('ann@flaky.test'),
      fromAddress: 'ann@flaky.test',
      trustedAuthservIds: [],
      resolver,
    });
    expect(verdict).toMatchObject({ result: 'none', temporary: true });
    expect(verdict.reason).toContain('DNS temporarily failed');
    const broken = await authenticate({
      raw: await signed(message('ann@shop.test'), 'shop.test', 'sel', shop.privateKey),
      fromAddress: 'ann@shop.test',
      trustedAuthservIds: [],
      resolver: async () => {
        throw Object.assign(new Error('connection refused'), { code: 'ECONNREFUSED' });
      },
    });
    expect(broken).toMatchObject({ result: 'none', temporary: true });
  });
});

describe('Authentication-Results parsing', () => {
  it('reads authserv-id, methods and properties, ignoring comments', () => {
    expect(
      parseAuthenticationResults(
        ' mx.google.com 1; dkim=pass (2048-bit key) header.i=@shop.test header.s=sel; spf=softfail (x; y) smtp.mailfrom=a@b.test'
      )
    ).toEqual({
      authservId: 'mx.google.com',
      results: [
        { method: 'dkim', result: 'pass', properties: { 'header.i': '@shop.test', 'header.s': 'sel' } },
        { method: 'spf', result: 'softfail', properties: { 'smtp.mailfrom': 'a@b.test' } },
      ],
    });
    expect(
      trustedAuthenticationResults(['evil.test; dmarc=pass', 'mx.google.com; none'], ['mx.google.com'])
    ).toEqual({
      authservId: 'mx.google.com',
      results: [],
    });
    expect(trustedAuthenticationResults(['mx.google.com; dmarc=pass'], [])).toBeNull();
  });
});

describe('cachingResolver', () => {
  it('asks DNS once per name, and again after a temporary failure', async () => {
    let calls = 0;
    let fail = true;
    const cached = cachingResolver(async () => {
      calls++;
      if (fail) throw Object.assign(new Error('timeout'), { code: 'ETIMEOUT' });
      return [['v=DMARC1; p=none']];
    });
    await expect(cached('_dmarc.a.test', 'TXT')).rejects.toThrow('timeout');
    fail = false;
    await cached('_dmarc.a.test', 'TXT');
    await cached('_dmarc.A.test', 'TXT');
    expect(calls).toBe(2);
  });
});
