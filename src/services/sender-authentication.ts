/**
 * Sender authentication for the importer and the simulator: reads the spooled raw source and asks
 * `mail/authenticate.ts` with the mailbox's trusted authserv-ids. DNS goes through the plugin's `dnsResolver` when
 * set (tests give a local table), else the system's DNS with a short timeout, so a dead resolver costs a mail a few
 * seconds and a temporary "none" rather than a stalled run. Answers are cached for the process (per DKIM key and
 * DMARC policy), so a run asks DNS once per signing domain and From domain, not once per mail.
 */
import dns from 'node:dns';
import fs from 'node:fs';
import type { Core } from '@strapi/strapi';
import {
  authenticate,
  cachingResolver,
  type AuthenticationVerdict,
  type DnsResolver,
} from '../mail/authenticate';
import type { ParsedMail } from '../mail/types';
import type { SpooledRaw } from '../ingest/spool';
import { pluginConfig } from './plugin-config';

const DNS_TIMEOUT_MS = 2000;

export function createSenderAuthenticator(strapi: Core.Strapi) {
  let cached: { source: unknown; resolver: DnsResolver } | null = null;

  function resolver(): DnsResolver {
    const configured = pluginConfig(strapi).dnsResolver;
    if (cached && cached.source === (configured ?? null)) return cached.resolver;
    let base: DnsResolver;
    if (configured) base = configured;
    else {
      const system = new dns.promises.Resolver({ timeout: DNS_TIMEOUT_MS, tries: 2 });
      base = (name, rrtype) => system.resolve(name, rrtype);
    }
    cached = { source: configured ?? null, resolver: cachingResolver(base) };
    return cached.resolver;
  }

  return {
    /** Never throws: a failure of the check itself is a "none" that says so (the mail is still imported). */
    async authenticate(
      raw: SpooledRaw,
      mail: ParsedMail,
      trustedAuthservIds: readonly string[]
    ): Promise<AuthenticationVerdict> {
      try {
        return await authenticate({
          raw: fs.createReadStream(raw.path),
          fromAddress: mail.from?.address ?? null,
          trustedAuthservIds,
          resolver: resolver(),
        });
      } catch (error) {
        return {
          result: 'none',
          reason: `sender authentication could not run: ${error instanceof Error ? error.message : String(error)}`,
          dkim: [],
          dmarc: {
            domain: null,
            published: false,
            policy: null,
            alignment: 'relaxed',
            temporaryError: false,
          },
          via: null,
          authservId: null,
          temporary: true,
        };
      }
    },
  };
}
