/**
 * Agent trust: an agent's reply by email is mail the help desk sends to a customer in its own name, so it takes two
 * proofs, never one:
 *
 *   1. the reply token issued to that agent — the reply address or the Message-ID of a notification mailed to them
 *      (thread paths `reply-token` / `message-id-token`). A subject token or References only say which ticket is
 *      meant; anyone who knows an agent address and a ticket number can write them;
 *   2. an authenticated sender: an aligned DKIM pass, or a pass reported by one of the mailbox's trusted
 *      authserv-ids (see `mail/authenticate.ts`). A token alone could have leaked with a forwarded notification.
 *
 * Mail from an agent address that would join a ticket without both is kept on the ticket as an unverified agent
 * mail (an internal note), mailed to nobody. Pure: decide-inbound asks it, the simulator shows what it said.
 */
import type { AuthenticationVerdict } from '../mail/authenticate';
import type { ThreadVia } from '../mail/thread';
import type { UnauthenticatedAnswers } from '../schemas/mailbox';

export type AgentTrust = { trusted: true } | { trusted: false; reason: string };

const TOKEN_PATHS: readonly ThreadVia[] = ['reply-token', 'message-id-token'];

export function agentMailTrust(via: ThreadVia, authentication: AuthenticationVerdict | null): AgentTrust {
  const missing: string[] = [];
  if (!TOKEN_PATHS.includes(via)) {
    missing.push(`it carries no reply token issued to this agent (it joined by ${via})`);
  }
  if (authentication?.result !== 'pass') {
    missing.push(
      `the sender is not authenticated (${authentication ? `${authentication.result}: ${authentication.reason}` : 'not checked'})`
    );
  }
  if (missing.length === 0) return { trusted: true };
  return { trusted: false, reason: missing.join('; ') };
}

/**
 * Automatic answers (acknowledgement, one-time answers) to a sender whose domain fails DMARC would be backscatter
 * to whoever was impersonated: suppressed, or — if the mailbox says so — held to the hard rate limit. A domain that
 * publishes no DMARC record (`none`) is answered as before; the ordinary rate limits still apply.
 */
export function answerPolicyFor(
  authentication: AuthenticationVerdict | null,
  setting: UnauthenticatedAnswers
): UnauthenticatedAnswers | null {
  return authentication?.result === 'fail' ? setting : null;
}
