/**
 * Sender authentication for tests: signing domains with real keys made here, and the DNS table (DKIM keys, DMARC
 * policies) the plugin's `dnsResolver` answers from, so mail signed in a test verifies through the real mailauth
 * code without any network.
 */
import crypto from 'node:crypto';
import { dkimSign } from 'mailauth/lib/dkim/sign';
import { tableResolver } from '../../src/mail/authenticate';

export interface SigningDomain {
  domain: string;
  /** Prepends a valid DKIM-Signature of this domain to the raw message. */
  sign(raw: string): Promise<string>;
}

export class TestDns {
  readonly table: Record<string, unknown> = {};
  readonly resolver = tableResolver(this.table);

  /** A domain with a DKIM key published under selector `test`; `dmarc` publishes a policy (e.g. "v=DMARC1; p=reject"). */
  signingDomain(domain: string, dmarc?: string): SigningDomain {
    const { privateKey, publicKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
    const der = publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
    this.table[`TXT test._domainkey.${domain}`] = [[`v=DKIM1; k=rsa; p=${der}`]];
    if (dmarc) this.dmarc(domain, dmarc);
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    return {
      domain,
      async sign(raw) {
        const { signatures, errors } = await dkimSign(raw, {
          signatureData: [{ signingDomain: domain, selector: 'test', privateKey: pem }],
        } as never);
        if (errors.length > 0) throw errors[0];
        return signatures + raw;
      },
    };
  }

  dmarc(domain: string, record: string): void {
    this.table[`TXT _dmarc.${domain}`] = [[record]];
  }
}
