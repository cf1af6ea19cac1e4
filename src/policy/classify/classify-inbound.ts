/**
 * Inbound classification for loop and bounce protection (email standards guide, sections 1 and 3). Every message is
 * still imported; these flags only decide what happens around it: a flagged message never causes automatic mail back,
 * a bounce is recorded against the mail it reports on, our own mail coming back creates nothing.
 *
 * Pure: headers, sender, subject and (optionally) a little of the body in, flags out. No I/O, no Strapi. This file
 * walks the checks of check-order.ts; each check is a file of its own in this folder, its patterns are listed in
 * classify-patterns.ts.
 *
 * Every regular expression here is linear (no nested quantifiers, no overlapping repetitions next to each other), and
 * runs on input cut to a fixed length first: a hostile message cannot make classification slow.
 */
import type { ParsedMail } from '../../mail/types';
import { MAX_BODY_EVIDENCE_LENGTH } from './bounded-reads';
import { INBOUND_CHECKS } from './check-order';
import { type FlagName, readMailFacts } from './inbound-check';
import type { InboundFlags, InboundInput, OwnMailIdentity } from './inbound-flags';

/**
 * The loop and bounce flags of one inbound message, with the reasons that set them. Reads only what it is given;
 * without `body`, non-standard bounces are recognised by sender and subject alone.
 */
export function classifyInbound(input: InboundInput): InboundFlags {
  const mail = readMailFacts(input);
  const flags: Record<FlagName, boolean> = {
    autoReply: false,
    outOfOffice: false,
    bounce: false,
    readReceipt: false,
    list: false,
    ownMail: false,
    automatic: false,
  };
  const reasons: string[] = [];
  for (const check of INBOUND_CHECKS) {
    for (const finding of check.run(mail, flags)) {
      for (const flag of finding.sets) flags[flag] = true;
      if (!reasons.includes(finding.reason)) reasons.push(finding.reason);
    }
  }
  const { autoReply, bounce, readReceipt, list, ownMail } = flags;
  // A delivery report is never an absence notice, whatever subject or headers it copies from the original.
  const outOfOffice = flags.outOfOffice && !bounce;
  const responseSuppress = mail.responseSuppress;
  return {
    autoReply,
    outOfOffice,
    bounce,
    readReceipt,
    list,
    ownMail,
    automatic: autoReply || outOfOffice || bounce || readReceipt || list || ownMail || flags.automatic,
    suppressAutoResponse: responseSuppress !== null && !/^none$/i.test(responseSuppress),
    reportType: mail.reportType,
    reasons,
  };
}

/** {@link classifyInbound} for a parsed message: From as sender, the text body and attachment types as evidence. */
export function classifyParsedMail(mail: ParsedMail, own: OwnMailIdentity): InboundFlags {
  return classifyInbound({
    headers: mail.headers,
    sender: mail.from?.address ?? null,
    subject: mail.subject,
    messageId: mail.messageId,
    own,
    body: {
      text: mail.text.slice(0, MAX_BODY_EVIDENCE_LENGTH),
      partTypes: mail.attachments.map((attachment) => attachment.contentType),
    },
  });
}
