/**
 * The DNS the road's sender authentication uses (DKIM keys, DMARC policies): the plugin's `dnsResolver` when set
 * (tests give a local table), else the system's DNS with a short timeout, so a dead resolver costs a mail a few
 * seconds and a temporary "none" rather than a stalled run. Answers are cached for the process (per DKIM key and
 * DMARC policy), so a run asks DNS once per signing domain and From domain, not once per mail. The parse workers
 * ask through it (parse-pool.ts), so all of them share the one cache.
 */
import dns from 'node:dns';
import { cachingResolver, type DnsResolver } from '../mail/authenticate';

const DNS_TIMEOUT_MS = 2000;

/** A resolver factory that keeps its cache for as long as the configured resolver stays the same. */
export function createDnsResolverSource(): (configured: DnsResolver | null | undefined) => DnsResolver {
  let cached: { source: DnsResolver | null; resolver: DnsResolver } | null = null;
  return (configured) => {
    if (cached && cached.source === (configured ?? null)) return cached.resolver;
    let base: DnsResolver;
    if (configured) base = configured;
    else {
      const system = new dns.promises.Resolver({ timeout: DNS_TIMEOUT_MS, tries: 2 });
      base = (name, rrtype) => system.resolve(name, rrtype);
    }
    cached = { source: configured ?? null, resolver: cachingResolver(base) };
    return cached.resolver;
  };
}
