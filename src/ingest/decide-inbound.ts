/**
 * Every decision the plugin takes about one inbound mail, in the order of the inbound road:
 *
 *   classify (automatic?) → block rules → thread (which ticket) → forwarding address → admit (allowed mail and
 *   senders) → apply (plan: new ticket / reply / agent reply) → piping rules (new tickets) → recipients (CC import)
 *
 * One function, used by the importer (which then persists what it decided) and by the rule simulator (which only
 * shows it), so the simulator can never disagree with what an import would do. The database is reached only through
 * the thread lookups and `senderIsRegistered`, both handed in.
 */
import { admit, type AdmissionVerdict } from '../mail/admission';
import { findBlockingRule, type CompiledBlockRules } from '../mail/block';
import { classifyAutomatic, type AutomaticVerdict } from '../mail/classify';
import { addressesInHeader, forwardingAddressOf } from '../mail/forwarding';
import { threadCandidateIds } from '../mail/message-ids';
import { requesterOf } from '../mail/requester';
import { evaluateRules, type CompiledRules, type RuleOutcome } from '../mail/rules';
import { resolveThread, type ThreadDecision, type ThreadLookups } from '../mail/thread';
import { normaliseAddress } from '../mail/tokens';
import type { MailAddress, ParsedMail } from '../mail/types';
import type { AllowedMailSetting, AllowedSendersSetting, ClosedTicketReplies } from '../schemas/mailbox';
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
}

export interface InboundDecisionInput {
  mail: ParsedMail;
  settings: InboundSettings;
  lookups: ThreadLookups;
  /** Only asked when the mailbox admits registered users only. */
  senderIsRegistered(address: string): Promise<boolean>;
}

export type InboundDecision =
  | { kind: 'blocked'; sender: string; automatic: AutomaticVerdict; ruleId: number; reason: string }
  | {
      kind: 'refused';
      sender: string;
      automatic: AutomaticVerdict;
      thread: ThreadDecision;
      forwardingAddress: string | null;
      reason: string;
    }
  | {
      kind: 'accepted';
      sender: string;
      automatic: AutomaticVerdict;
      thread: ThreadDecision;
      forwardingAddress: string | null;
      plan: InboundPlan;
      /** Piping rules' verdict (new tickets only). */
      rules: RuleOutcome | null;
      /** Recipients the ticket gains from this mail (CC import and rules). */
      addedRecipients: MailAddress[];
    };

/** Addresses the mail was delivered to: a reply token may sit in any of them. */
function deliveredTo(mail: ParsedMail): string[] {
  const fromHeaders = ['delivered-to', 'x-original-to']
    .flatMap((name) => [mail.headers[name] ?? []].flat())
    .flatMap((value) => addressesInHeader(String(value)));
  return [...mail.to.map((a) => a.address), ...mail.cc.map((a) => a.address), ...fromHeaders];
}

/** Our own addresses including their `+tag` variants (reply tokens): never a customer's CC. */
function isOurs(address: string, own: Set<string>): boolean {
  const plain = address.replace(/\+[^@]*@/, '@');
  return own.has(address) || own.has(plain);
}

function importedRecipients(mail: ParsedMail, sender: string, settings: InboundSettings): MailAddress[] {
  if (!settings.ccImport) return [];
  const excluded = new Set(
    [...settings.ownAddresses, ...settings.forwardingAddresses, ...settings.agents, sender].map(
      normaliseAddress
    )
  );
  const seen = new Set<string>();
  const result: MailAddress[] = [];
  for (const entry of [...mail.to, ...mail.cc]) {
    const address = normaliseAddress(entry.address);
    if (isOurs(address, excluded) || seen.has(address)) continue;
    seen.add(address);
    result.push({ address, name: entry.name });
  }
  return result;
}

export async function decideInbound(input: InboundDecisionInput): Promise<InboundDecision> {
  const { mail, settings } = input;
  const sender = normaliseAddress(requesterOf(mail)!.address);
  const automatic = classifyAutomatic(mail.headers, sender);

  const blocked = findBlockingRule(settings.blockRules, { sender, subject: mail.subject });
  if (blocked) {
    return {
      kind: 'blocked',
      sender,
      automatic,
      ruleId: blocked.ruleId,
      reason: `blocked by ${blocked.description}`,
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
      return { kind: 'refused', sender, automatic, thread, forwardingAddress, reason: verdict.reason };
    }
  }

  const plan = planInbound({
    decision: thread,
    senderIsAgent,
    automatic: automatic.automatic,
    closedTicketReplies: settings.closedTicketReplies,
  });
  const rules =
    plan.kind === 'new-ticket'
      ? evaluateRules(settings.rules, {
          sender,
          forwardingAddress,
          to: mail.to.map((a) => a.address),
          cc: mail.cc.map((a) => a.address),
          subject: mail.subject,
          body: mail.text,
          headers: mail.headers,
        })
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
  return { kind: 'accepted', sender, automatic, thread, forwardingAddress, plan, rules, addedRecipients };
}
