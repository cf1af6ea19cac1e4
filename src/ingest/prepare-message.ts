/**
 * The first step of the road: a spooled raw message becomes a {@link PreparedMessage}. Everything CPU-heavy about
 * untrusted mail happens here, in the parse worker (parse-worker.ts, parse-pool.ts) — parsing, sanitizing, text,
 * quote trimming, classification with the mailbox's identity, DKIM hashing — so the main thread only waits, and the
 * decision after it is cheap.
 */
import { removeSpooledAttachments } from '../mail/parse/attachment-spool';
import type { AuthenticationVerdict } from '../mail/authenticate';
import type { InboundFlags } from '../policy/classify/inbound-flags';
import type { ParsedMail } from '../mail/types';
import { ParseAbandonedError, parsePool, ParsePoolUnavailableError, type JobPreparation } from './parse-pool';
import { removeSpooled, type SpooledRaw } from './spool';
import type { InboundOrigin, StagedAttachments } from './store';

/** A message received and prepared, ready to be decided on and stored. */
export interface PreparedMessage {
  origin: InboundOrigin;
  raw: SpooledRaw;
  mail: ParsedMail | null;
  /** Why it must go to the quarantine (unparseable, nobody to answer), or null. */
  problem: string | null;
  /** The worker's classification and the identity it used (see policy/own-mail-identity.ts); absent: none made. */
  classification?: { flags: InboundFlags; classifiedWith: string };
  /** Sender authentication made in the worker; absent or null: not made (the decision treats it as none). */
  authentication?: AuthenticationVerdict | null;
  /** How long the parse worker took, when it finished (logs, the fuzz run). */
  parseMs?: number;
  /** Its attachments, already uploaded before its transaction (see `IngestStore.stageAttachments`). */
  staged?: StagedAttachments;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

const NO_SENDER =
  'has no usable sender address (From and Reply-To are missing or invalid), so no one could be answered';

/**
 * Prepares in the worker. A mail the worker gives up on (over its time or memory budget) is quarantined with the
 * reason; a pool that cannot work at all (worker missing) throws, so the run stops and nothing is quarantined.
 */
export async function prepareMessage(
  raw: SpooledRaw,
  origin: InboundOrigin,
  options: { spoolDir: string; preparation?: JobPreparation | null }
): Promise<PreparedMessage> {
  try {
    const result = await parsePool().parse(raw.path, options.spoolDir, options.preparation ?? null);
    return {
      origin,
      raw,
      mail: result.mail,
      problem: result.answerable ? null : NO_SENDER,
      classification: { flags: result.flags, classifiedWith: result.classifiedWith },
      authentication: result.authentication,
      parseMs: result.parseMs,
    };
  } catch (error) {
    if (error instanceof ParsePoolUnavailableError) throw error;
    if (error instanceof ParseAbandonedError) return { origin, raw, mail: null, problem: error.message };
    return { origin, raw, mail: null, problem: `cannot be parsed: ${describe(error)}` };
  }
}

/** Removes the message's temporary files (raw source and attachments). */
export async function releasePrepared(prepared: PreparedMessage): Promise<void> {
  if (prepared.mail) await removeSpooledAttachments(prepared.mail);
  await removeSpooled(prepared.raw);
}
