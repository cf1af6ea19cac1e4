/**
 * Authenticate: does the From of a mail belong to whoever sent it? From is not an identity — anyone can write any
 * address there — so the road asks the only proofs that survive an IMAP fetch (the connecting IP and HELO are gone,
 * so SPF cannot be re-run here):
 *
 *   1. DKIM signatures verified from the raw source (mailauth, DNS through the resolver handed in), and DMARC
 *      alignment of the passing signing domains with the From domain (strict or relaxed as the domain's DMARC record
 *      says; relaxed when it publishes none);
 *   2. the `Authentication-Results` header (RFC 8601) — only the topmost one whose authserv-id the mailbox trusts
 *      (its own MX, which saw the connecting IP). Every other one is ignored: a sender can write any header it likes
 *      below the ones our servers add.
 *
 * The verdict:
 *   - `pass`: an aligned DKIM pass, or a pass (DMARC, or aligned DKIM / SPF) reported by a trusted authserv-id;
 *   - `fail`: the From domain publishes DMARC and nothing aligned passed, or a trusted authserv-id says DMARC failed;
 *   - `none`: the From domain publishes no DMARC record and nothing aligned passed — or DNS failed for the moment
 *     (`temporary`), which is never taken for a failure.
 *
 * No Strapi here: the importer and the simulator hand in the raw source, the mailbox's trusted ids and a resolver
 * (Node's `dns.promises.resolve` in production, a local table in tests).
 */
import type { Readable } from 'node:stream';
import { dkimVerify } from 'mailauth/lib/dkim/verify';
import { dmarc as dmarcVerify } from 'mailauth/lib/dmarc';
import type { DNSResolver } from 'mailauth';
import { AUTHENTICATION_RESULTS, type AuthenticationResult } from '../../contracts/rules';

/** The verdicts, declared with the rule vocabulary (the `authentication` condition field reads them). */
export { AUTHENTICATION_RESULTS, type AuthenticationResult };

/** Same shape as `dns.promises.resolve(name, rrtype)`; throws errors with a `code` (ENOTFOUND, ETIMEOUT…). */
export type DnsResolver = (name: string, rrtype: string) => Promise<unknown>;

export interface DkimSignatureResult {
  domain: string;
  selector: string | null;
  /** mailauth's result: pass, fail, neutral (no key, body changed), temperror, policy (weak key)… */
  result: string;
  /** The signing domain aligns with From under the DMARC mode in force. */
  aligned: boolean;
  comment: string | null;
}

export interface DmarcState {
  /** From domain whose policy was looked up (null: no usable From). */
  domain: string | null;
  /** The domain (or its organisational domain) publishes a DMARC record. */
  published: boolean;
  policy: string | null;
  alignment: 'strict' | 'relaxed';
  /** DNS failed while looking the record up. */
  temporaryError: boolean;
}

export interface AuthenticationVerdict {
  result: AuthenticationResult;
  /** One sentence a site owner can read on the receipt. */
  reason: string;
  dkim: DkimSignatureResult[];
  dmarc: DmarcState;
  via: 'dkim' | 'authentication-results' | null;
  /** The trusted authserv-id whose header was read, if any. */
  authservId: string | null;
  /** DNS failed: the verdict may change on a later look. */
  temporary: boolean;
}

export interface AuthenticationInput {
  /** The complete raw source, as received. */
  raw: Buffer | Readable | string;
  /** The From address (not Reply-To: DMARC protects the From domain). */
  fromAddress: string | null;
  /** Authserv-ids of the site's own receiving servers (mailbox setting `trustedAuthservIds`). */
  trustedAuthservIds: readonly string[];
  resolver: DnsResolver;
}

/** An Authentication-Results header longer than this is hostile or broken; the rest is not read. */
const MAX_AR_CHARS = 8192;

function domainOf(address: string | null): string | null {
  if (!address) return null;
  const at = address.lastIndexOf('@');
  const domain = at >= 0 ? address.slice(at + 1) : '';
  return domain.trim().toLowerCase().replace(/\.$/, '') || null;
}

/**
 * `candidate` aligns with `from` when equal, or (relaxed) when one is a subdomain of the other within the same
 * organisational domain. mailauth has already computed the organisational-domain match for DKIM (`aligned`); for
 * domains read from a header this conservative parent/child test stands in for it.
 */
function sameOrParent(from: string, candidate: string): boolean {
  return from === candidate || from.endsWith(`.${candidate}`) || candidate.endsWith(`.${from}`);
}

/** One `method=result` with its properties, from an Authentication-Results header. */
export interface AuthResultEntry {
  method: string;
  result: string;
  properties: Record<string, string>;
}

export interface ParsedAuthenticationResults {
  authservId: string;
  results: AuthResultEntry[];
}

/** Removes RFC 5322 comments (nested parentheses) outside quoted strings. */
function withoutComments(value: string): string {
  let out = '';
  let depth = 0;
  let quoted = false;
  for (let i = 0; i < value.length; i++) {
    const c = value[i];
    if (c === '\\' && i + 1 < value.length) {
      if (depth === 0) out += c + value[i + 1];
      i++;
    } else if (quoted) {
      out += c;
      if (c === '"') quoted = false;
    } else if (c === '(') depth++;
    else if (c === ')') depth = Math.max(0, depth - 1);
    else if (depth === 0) {
      if (c === '"') quoted = true;
      out += c;
    }
  }
  return out;
}

/** Parses one Authentication-Results value (RFC 8601 §2.2); null when it has no authserv-id. */
export function parseAuthenticationResults(value: string): ParsedAuthenticationResults | null {
  const clean = withoutComments(value.slice(0, MAX_AR_CHARS).replace(/\r?\n[ \t]+/g, ' '));
  const [head, ...rest] = clean.split(';');
  const authservId = head.trim().split(/\s+/)[0]?.toLowerCase() ?? '';
  if (!authservId) return null;
  const results: AuthResultEntry[] = [];
  for (const part of rest) {
    const tokens = part.trim().split(/\s+/).filter(Boolean);
    const first = tokens.shift();
    if (!first || !first.includes('=')) continue;
    const [methodWithVersion, result] = first.split('=', 2);
    const properties: Record<string, string> = {};
    for (const token of tokens) {
      const eq = token.indexOf('=');
      if (eq > 0) properties[token.slice(0, eq).toLowerCase()] = token.slice(eq + 1).replace(/^"|"$/g, '');
    }
    results.push({
      method: methodWithVersion.split('/')[0].toLowerCase(),
      result: result.toLowerCase(),
      properties,
    });
  }
  return { authservId, results };
}

/** The topmost Authentication-Results written by a trusted server; every other one could be the sender's. */
export function trustedAuthenticationResults(
  headerValues: readonly string[],
  trustedAuthservIds: readonly string[]
): ParsedAuthenticationResults | null {
  const trusted = new Set(trustedAuthservIds.map((id) => id.trim().toLowerCase()).filter(Boolean));
  if (trusted.size === 0) return null;
  for (const value of headerValues) {
    const parsed = parseAuthenticationResults(value);
    if (parsed && trusted.has(parsed.authservId)) return parsed;
  }
  return null;
}

/** What a trusted server said about the From domain: pass, fail, or nothing conclusive. */
function readTrusted(
  header: ParsedAuthenticationResults,
  fromDomain: string
): { result: 'pass' | 'fail'; reason: string } | null {
  const dmarc = header.results.find((entry) => entry.method === 'dmarc');
  if (dmarc?.result === 'pass') return { result: 'pass', reason: `${header.authservId} reports dmarc=pass` };
  for (const entry of header.results) {
    if (entry.result !== 'pass') continue;
    const domain =
      entry.method === 'dkim'
        ? (entry.properties['header.d'] ?? domainOf(entry.properties['header.i'] ?? null))
        : entry.method === 'spf'
          ? domainOf(entry.properties['smtp.mailfrom'] ?? null)
          : null;
    if (domain && sameOrParent(fromDomain, domain.toLowerCase())) {
      return { result: 'pass', reason: `${header.authservId} reports ${entry.method}=pass for ${domain}` };
    }
  }
  if (dmarc?.result === 'fail') return { result: 'fail', reason: `${header.authservId} reports dmarc=fail` };
  return null;
}

/** Raw header lines named `name`, top first, as mailauth read them from the source. */
function rawHeaderValues(parsed: Array<{ key: string; line: Buffer | string }>, name: string): string[] {
  return parsed
    .filter((header) => header.key === name)
    .map((header) => {
      const line = header.line.toString();
      return line.slice(line.indexOf(':') + 1);
    });
}

const TEMPORARY_DKIM = new Set(['temperror', 'temperr']);

export async function authenticate(input: AuthenticationInput): Promise<AuthenticationVerdict> {
  const fromDomain = domainOf(input.fromAddress);
  const resolver = input.resolver as DNSResolver;
  const verified = await dkimVerify(input.raw, { resolver });
  const parsedHeaders = (verified.headers?.parsed ?? []) as Array<{ key: string; line: Buffer | string }>;
  const signatures = verified.results.filter((r) => r.signingDomain);
  const passing = signatures.filter((r) => r.status.result === 'pass');

  let dmarc: DmarcState = {
    domain: fromDomain,
    published: false,
    policy: null,
    alignment: 'relaxed',
    temporaryError: false,
  };
  if (fromDomain) {
    const found = await dmarcVerify({
      headerFrom: input.fromAddress!,
      dkimDomains: passing.map((r) => ({ domain: r.signingDomain, aligned: Boolean(r.status.aligned) })),
      resolver,
    });
    const status = found ? (found as { status?: { result?: string } }).status?.result : undefined;
    const strict = found
      ? (found as { alignment?: { dkim?: { strict?: boolean } } }).alignment?.dkim?.strict
      : false;
    dmarc = {
      domain: fromDomain,
      published: status === 'pass' || status === 'fail',
      policy: found && found.policy ? found.policy : null,
      alignment: strict ? 'strict' : 'relaxed',
      temporaryError: status === 'temperror',
    };
  }

  const dkim: DkimSignatureResult[] = signatures.map((r) => {
    const domain = r.signingDomain.toLowerCase();
    // mailauth's `aligned` is the relaxed (organisational domain) match; strict asks for the very From domain.
    const aligned =
      fromDomain !== null &&
      r.status.result === 'pass' &&
      (dmarc.alignment === 'strict' ? domain === fromDomain : Boolean(r.status.aligned));
    return {
      domain,
      selector: r.selector ?? null,
      result: r.status.result,
      aligned,
      comment: typeof r.status.comment === 'string' ? r.status.comment : null,
    };
  });

  const base = { dkim, dmarc, authservId: null as string | null };
  const alignedPass = dkim.find((entry) => entry.aligned);
  if (alignedPass) {
    return {
      ...base,
      result: 'pass',
      via: 'dkim',
      temporary: false,
      reason: `DKIM signature of ${alignedPass.domain} verified and aligned with From (${fromDomain})`,
    };
  }

  const trustedHeader = trustedAuthenticationResults(
    rawHeaderValues(parsedHeaders, 'authentication-results'),
    input.trustedAuthservIds
  );
  const fromTrusted = trustedHeader && fromDomain ? readTrusted(trustedHeader, fromDomain) : null;
  if (trustedHeader && fromTrusted) {
    return {
      ...base,
      authservId: trustedHeader.authservId,
      result: fromTrusted.result,
      via: 'authentication-results',
      temporary: false,
      reason: fromTrusted.reason,
    };
  }

  const others = dkim.filter((entry) => entry.result === 'pass').map((entry) => entry.domain);
  const signedBy = others.length > 0 ? `; signed by ${others.join(', ')}, which is not the From domain` : '';
  const broken = dkim.find((entry) => entry.result !== 'pass' && !TEMPORARY_DKIM.has(entry.result));
  const brokenNote = broken
    ? `; DKIM signature of ${broken.domain} did not verify (${broken.comment ?? broken.result})`
    : '';
  const temporary = dmarc.temporaryError || dkim.some((entry) => TEMPORARY_DKIM.has(entry.result));
  const unproven = (result: 'fail' | 'none', reason: string, isTemporary = false): AuthenticationVerdict => ({
    ...base,
    authservId: trustedHeader?.authservId ?? null,
    result,
    via: null,
    temporary: isTemporary,
    reason,
  });
  if (!fromDomain) return unproven('none', 'no From domain to check');
  if (dmarc.published) {
    return unproven(
      'fail',
      `${fromDomain} publishes DMARC (p=${dmarc.policy ?? 'none'}) and nothing aligned with it passed${signedBy}${brokenNote}`
    );
  }
  if (temporary)
    return unproven('none', `DNS temporarily failed while checking ${fromDomain}${signedBy}`, true);
  return unproven(
    'none',
    `${fromDomain} publishes no DMARC record and no aligned signature was found${signedBy}${brokenNote}`
  );
}

/**
 * A resolver that remembers answers (and "no such name") for a while, so a run that sees the same domains over and
 * over asks DNS once per key and policy. Temporary failures are not remembered.
 */
export function cachingResolver(
  resolver: DnsResolver,
  options: { ttlMs?: number; maxEntries?: number; now?: () => number } = {}
): DnsResolver {
  const ttlMs = options.ttlMs ?? 5 * 60_000;
  const maxEntries = options.maxEntries ?? 2000;
  const now = options.now ?? Date.now;
  const cache = new Map<string, { at: number; value?: unknown; error?: unknown }>();
  return async (name, rrtype) => {
    const key = `${rrtype} ${name.toLowerCase()}`;
    const hit = cache.get(key);
    if (hit && now() - hit.at < ttlMs) {
      if (hit.error) throw hit.error;
      return hit.value;
    }
    if (cache.size >= maxEntries) cache.delete(cache.keys().next().value as string);
    try {
      const value = await resolver(name, rrtype);
      cache.set(key, { at: now(), value });
      return value;
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (code === 'ENOTFOUND' || code === 'ENODATA') cache.set(key, { at: now(), error });
      throw error;
    }
  };
}

/** A resolver over a fixed table (`"<rrtype> <name>"` → records): tests and offline demos use it. */
export function tableResolver(table: Record<string, unknown>): DnsResolver {
  return async (name, rrtype) => {
    const key = `${rrtype} ${name.toLowerCase()}`;
    const value = table[key];
    if (value === 'TEMPFAIL') throw Object.assign(new Error(`DNS timeout for ${name}`), { code: 'ETIMEOUT' });
    if (value === undefined) throw Object.assign(new Error(`${name} not found`), { code: 'ENOTFOUND' });
    return value;
  };
}

/** The verdict when the check itself could not run (unreadable source, a resolver that threw): a temporary "none". */
export function authenticationNotRun(error: unknown): AuthenticationVerdict {
  return {
    result: 'none',
    reason: `sender authentication could not run: ${error instanceof Error ? error.message : String(error)}`,
    dkim: [],
    dmarc: { domain: null, published: false, policy: null, alignment: 'relaxed', temporaryError: false },
    via: null,
    authservId: null,
    temporary: true,
  };
}
