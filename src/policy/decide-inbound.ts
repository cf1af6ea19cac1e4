/**
 * Every decision the plugin takes about one inbound mail, in the order of the inbound road:
 *
 *   classify (flags: auto-reply, out of office, bounce, read receipt, list, own mail; normally done in the worker)
 *   → own mail (recorded, nothing created) → bounce (matched to the mail it reports on) → read receipt (likewise)
 *   → block rules → unmonitored mailbox → thread (which ticket) → forwarding address → admit (allowed mail and
 *   senders) → apply (plan: new ticket / reply / agent reply) → piping rules (new tickets) → recipients (CC import)
 *
 * Bounces and our own mail are recognised before the block rules: the default rules block mailer-daemon@, and a
 * bounce must still reach the ticket of the mail it reports on.
 *
 * One function, used by the importer (which then stores what it decided) and by the rule simulator (which only
 * shows it), so the simulator can never disagree with what an import would do. The database is reached only through
 * the lookups of the {@link InboundDecisionContext}, handed in. Classification normally arrives made by the parse
 * worker (prepare-message.ts), so this runs no untrusted-input regexes on the main thread beyond the bounded
 * block-rule, piping-rule and thread checks.
 */
import type { MailClass } from '../../contracts/api';
import { admit, type AdmissionVerdict } from '../mail/admission';
import type { AuthenticationVerdict } from '../mail/authenticate';
import { findBlockingRule, type CompiledBlockRules } from '../mail/block';
import type { BounceReport } from '../mail/bounce/bounce-report';
import { parseBounce } from '../mail/bounce/parse-bounce';
import { verpTokenOf } from '../mail/bounce/verp';
import { classifyParsedMail } from './classify/classify-inbound';
import type { AutomaticVerdict, InboundFlags } from './classify/inbound-flags';
import { forwardingAddressOf } from '../mail/forwarding';
import { threadCandidateIds } from '../mail/message-ids';
import { requesterOf } from '../mail/requester';
import { parseReadReceipt, type ReadReceiptReport } from '../mail/read-receipt';
import type { RuleOutcome } from '../../contracts/rules';
import type { CompiledRules } from './rules/compiled-rule-set';
import { evaluateRules } from './rules/evaluate-rules';
import { resolveThread, type ThreadDecision, type ThreadLookups } from '../mail/thread';
import { normaliseAddress } from '../mail/tokens';
import type { MailAddress, ParsedMail } from '../mail/types';
import type {
  AllowedMailSetting,
  AllowedSendersSetting,
  ClosedTicketReplies,
  UnauthenticatedAnswers,
} from '../schemas/mailbox';
import { agentMailTrust, answerPolicyFor } from './agent-trust';
import { identityKey, withOwnMessageId } from './own-mail-identity';
import { deliveredTo, importedRecipients } from './mail-recipients';
import { planInbound, type InboundPlan } from './plan-inbound';

export interface InboundSettings {
  closedTicketReplies: ClosedTicketReplies;
  allowedMail: AllowedMailSetting;
  allowedSenders: AllowedSendersSetting;
  ccImport: boolean;
  forwardingAddresses: string[];
  /** The mailbox's agents (their mail to a ticket is an agent reply; they are never added as CC). */
  agents: string[];
  /** Every address of the plugin's own mailboxes: never a requester's CC. */
  ownAddresses: string[];
  rules: CompiledRules;
  blockRules: CompiledBlockRules;
  replySecret: string | null;
  /** The value of our loop header: mail carrying it is our own come back. */
  instanceId: string;
  /** Nobody reads this mailbox: its mail makes no ticket (one automatic answer per sender, see repositories/import-store.ts). */
  unmonitored: boolean;
  /** Automatic answers to a sender whose domain fails DMARC: suppressed, or held to the hard rate limit. */
  unauthenticatedAnswers: UnauthenticatedAnswers;
}

/** One mail we sent (an outbox row), found for a bounce. */
export interface OutboundMatch {
  outboxId: number;
  ticketId: number | null;
  recipient: string;
  /** How the bounce was tied to it. */
  via: 'verp' | 'message-id';
}

/** What the inbound road asks about mail the plugin sent. */
export interface OutboundLookups {
  /** True when we sent a mail with this Message-ID (canonical form). */
  isOwnMessageId(messageId: string): Promise<boolean>;
  findByVerpToken(token: string): Promise<OutboundMatch | null>;
  findByMessageId(messageId: string): Promise<OutboundMatch | null>;
}

/** What a mailbox brings to the decision: its settings and the database lookups (handed in, never imported). */
export interface InboundDecisionContext {
  settings: InboundSettings;
  lookups: ThreadLookups;
  outbound: OutboundLookups;
  /** Only asked when the mailbox admits registered users only. */
  senderIsRegistered(address: string): Promise<boolean>;
}

export interface InboundDecisionInput extends InboundDecisionContext {
  mail: ParsedMail;
  /** Compose the piping rules' trace (the simulator shows it; the importer has no use for it). */
  explain?: boolean;
  /** Sender authentication (authenticate.ts); null when it could not be checked (treated as unauthenticated). */
  authentication: AuthenticationVerdict | null;
  /**
   * The parse worker's classification and the identity it used. Taken when that identity is the mailbox's still;
   * otherwise (or when absent) the mail is classified here.
   */
  classification?: { flags: InboundFlags; classifiedWith: string } | null;
}

interface Classified {
  sender: string;
  flags: InboundFlags;
  automatic: AutomaticVerdict;
  authentication: AuthenticationVerdict | null;
  /** Set when automatic answers to this sender are held back (its domain fails DMARC). */
  answerPolicy: UnauthenticatedAnswers | null;
}

export type InboundDecision =
  | (Classified & { kind: 'own-mail'; reason: string })
  | (Classified & {
      kind: 'bounce';
      report: BounceReport | null;
      /** The mail the bounce reports on, when it could be tied to one. */
      match: OutboundMatch | null;
      reason: string;
    })
  | (Classified & {
      kind: 'read-receipt';
      receipt: ReadReceiptReport;
      /** The mail of ours the receipt is about, when it names one. */
      match: OutboundMatch | null;
      reason: string;
    })
  | (Classified & { kind: 'blocked'; ruleId: number; reason: string })
  | (Classified & { kind: 'unmonitored'; reason: string; answerOnce: boolean })
  | (Classified & {
      kind: 'refused';
      thread: ThreadDecision;
      forwardingAddress: string | null;
      reason: string;
      answerOnce: boolean;
    })
  | (Classified & {
      kind: 'accepted';
      thread: ThreadDecision;
      forwardingAddress: string | null;
      plan: InboundPlan;
      /** Piping rules' verdict (new tickets only). */
      rules: RuleOutcome | null;
      /** Recipients the ticket gains from this mail (CC import and rules). */
      addedRecipients: MailAddress[];
    });

/** The one class a mail is counted under (receipts, dashboard): the strongest of its flags. */
export function mailClassOf(flags: InboundFlags): MailClass {
  if (flags.ownMail) return 'own-mail';
  if (flags.bounce) return 'bounce';
  if (flags.readReceipt) return 'read-receipt';
  if (flags.outOfOffice) return 'out-of-office';
  if (flags.autoReply) return 'auto-reply';
  if (flags.list) return 'list';
  if (flags.automatic) return 'automatic';
  return 'person';
}

/** The mail a bounce reports on: by the VERP token it was delivered to, else by the returned mail's Message-ID. */
async function matchBounce(
  mail: ParsedMail,
  report: BounceReport | null,
  outbound: OutboundLookups
): Promise<OutboundMatch | null> {
  const token = report?.verpToken ?? verpTokenOf(deliveredTo(mail));
  if (token) {
    const byToken = await outbound.findByVerpToken(token);
    if (byToken) return byToken;
  }
  const original = report?.originalMessageId;
  return original ? outbound.findByMessageId(original) : null;
}

function describeBounce(report: BounceReport | null, match: OutboundMatch | null): string {
  const failures = (report?.recipients ?? [])
    .map((r) => `${r.recipient}${r.status ? ` ${r.status}` : ''}${r.permanent ? ' (permanent)' : ''}`)
    .join(', ');
  const about = match
    ? `about mail #${match.outboxId} to ${match.recipient} (matched by ${match.via === 'verp' ? 'VERP token' : 'Message-ID'})`
    : 'not tied to any mail we sent';
  return `bounce ${about}${failures ? `: ${failures}` : ''}`;
}

/**
 * Mail that makes no ticket (refused, unmonitored mailbox) gets one answer saying where help is, rate-limited per
 * sender by the outbox guard: to people only, never to a machine, never to who asked for no automatic answer.
 */
function oneTimeAnswerDue(classified: Classified): boolean {
  return !classified.automatic.automatic && !classified.flags.suppressAutoResponse;
}

/** The mail of ours a read receipt names: the first of its ids that is one of our Message-IDs. */
async function matchReadReceipt(
  receipt: ReadReceiptReport,
  outbound: OutboundLookups
): Promise<OutboundMatch | null> {
  // Our Message-IDs all start with "ep." (tokens.ts, plan-notifications.ts): only those are looked up.
  for (const id of receipt.candidateIds) {
    if (!id.startsWith('ep.')) continue;
    const found = await outbound.findByMessageId(id);
    if (found) return found;
  }
  return null;
}

function describeReadReceipt(receipt: ReadReceiptReport, match: OutboundMatch | null): string {
  const what = receipt.disposition ? ` (${receipt.disposition})` : '';
  return match
    ? `read receipt${what} for mail #${match.outboxId} to ${match.recipient}`
    : `read receipt${what} not tied to any mail we sent: recorded, no ticket`;
}

export async function decideInbound(input: InboundDecisionInput): Promise<InboundDecision> {
  const { mail, settings } = input;
  // Only a bounce may come without a sender (see prepareMessage); it never needs one.
  const sender = normaliseAddress(requesterOf(mail)?.address ?? '');
  // Our Message-IDs all start with "ep." (tokens.ts, plan-notifications.ts): only those are looked up.
  const ownMessageId =
    mail.messageId !== null && mail.messageId.startsWith('ep.')
      ? await input.outbound.isOwnMessageId(mail.messageId)
      : false;
  const identity = { instanceId: settings.instanceId, addresses: settings.ownAddresses };
  const prepared = input.classification;
  let flags =
    prepared && prepared.classifiedWith === identityKey(identity)
      ? prepared.flags
      : classifyParsedMail(mail, identity);
  // The one check the worker cannot make: it needs the outbox.
  if (ownMessageId) flags = withOwnMessageId(flags);
  const automatic: AutomaticVerdict = {
    automatic: flags.automatic,
    reason: flags.automatic ? (flags.reasons[0] ?? null) : null,
  };
  const authentication = input.authentication;
  const classified: Classified = {
    sender,
    flags,
    automatic,
    authentication,
    answerPolicy: answerPolicyFor(authentication, settings.unauthenticatedAnswers),
  };

  if (flags.ownMail) {
    return {
      ...classified,
      kind: 'own-mail',
      reason: `our own mail came back (${flags.reasons.join('; ')})`,
    };
  }
  if (flags.bounce) {
    const report = await parseBounce(mail);
    const match = await matchBounce(mail, report, input.outbound);
    return { ...classified, kind: 'bounce', report, match, reason: describeBounce(report, match) };
  }
  // A read receipt goes on the ticket of the mail it names, or nowhere: never a ticket, never a suppression.
  if (flags.readReceipt) {
    const receipt = await parseReadReceipt(mail);
    const match = await matchReadReceipt(receipt, input.outbound);
    return {
      ...classified,
      kind: 'read-receipt',
      receipt,
      match,
      reason: describeReadReceipt(receipt, match),
    };
  }

  const blocked = findBlockingRule(settings.blockRules, { sender, subject: mail.subject });
  if (blocked) {
    return {
      ...classified,
      kind: 'blocked',
      ruleId: blocked.ruleId,
      reason: `blocked by ${blocked.description}`,
    };
  }
  if (settings.unmonitored) {
    return {
      ...classified,
      kind: 'unmonitored',
      reason: 'the mailbox is not monitored: no ticket is opened',
      answerOnce: oneTimeAnswerDue(classified),
    };
  }

  const thread = await resolveThread(
    { sender, recipients: deliveredTo(mail), candidateIds: threadCandidateIds(mail), subject: mail.subject },
    input.lookups,
    settings.replySecret
  );
  const forwardingAddress = forwardingAddressOf(mail, settings.forwardingAddresses);
  const senderIsAgent = settings.agents.includes(sender);

  // Agents answering a ticket are always let in; everyone else passes the mailbox's admission settings.
  if (!(senderIsAgent && thread.kind === 'existing')) {
    const verdict: AdmissionVerdict = admit({
      isReply: thread.kind === 'existing',
      sender,
      allowedMail: settings.allowedMail,
      allowedSenders: settings.allowedSenders,
      senderIsRegistered:
        settings.allowedSenders.mode === 'registered' ? await input.senderIsRegistered(sender) : undefined,
    });
    if (!verdict.admitted) {
      return {
        ...classified,
        kind: 'refused',
        thread,
        forwardingAddress,
        reason: verdict.reason,
        answerOnce: oneTimeAnswerDue(classified),
      };
    }
  }

  // An agent's mail becomes an agent reply only with both proofs (agent-trust.ts); otherwise it is held on the ticket.
  const agentTrust =
    senderIsAgent && thread.kind === 'existing' ? agentMailTrust(thread.via, authentication) : null;
  const plan = planInbound({
    decision: thread,
    senderIsAgent,
    unverifiedAgentMail: agentTrust && !agentTrust.trusted ? agentTrust.reason : null,
    automatic: automatic.automatic,
    suppressAutoResponse: flags.suppressAutoResponse,
    closedTicketReplies: settings.closedTicketReplies,
  });
  const rules =
    plan.kind === 'new-ticket'
      ? evaluateRules(
          settings.rules,
          {
            sender,
            forwardingAddress,
            to: mail.to.map((a) => a.address),
            cc: mail.cc.map((a) => a.address),
            subject: mail.subject,
            body: mail.text,
            headers: mail.headers,
            authentication: authentication?.result ?? 'none',
          },
          { trace: input.explain === true }
        )
      : null;
  const addedRecipients =
    plan.kind === 'new-ticket' || plan.kind === 'customer-reply'
      ? importedRecipients(mail, sender, settings)
      : [];
  for (const address of rules?.addRecipients ?? []) {
    const normalised = normaliseAddress(address);
    if (!addedRecipients.some((entry) => entry.address === normalised)) {
      addedRecipients.push({ address: normalised, name: '' });
    }
  }
  if (rules?.skipNotifications) plan.notify = [];
  return {
    ...classified,
    kind: 'accepted',
    thread,
    forwardingAddress,
    plan,
    rules,
    addedRecipients,
  };
}
