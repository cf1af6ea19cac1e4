/**
 * Senders that are machines: a null Return-Path or From, a daemon (by address or name), a list robot, a no-reply
 * robot.
 */
import { quote } from './bounded-reads';
import type { CheckFinding, InboundCheck } from './inbound-check';
import { LIST_ROBOT_SENDER, NO_REPLY_SENDER } from './sender-patterns';

export const senderCheck: InboundCheck = {
  name: 'sender-check',
  run(mail) {
    const { sender } = mail;
    const findings: CheckFinding[] = [];
    if (mail.nullReturnPath) findings.push({ reason: 'null Return-Path', sets: ['automatic'] });
    if (mail.nullFrom) findings.push({ reason: 'null From address', sets: ['automatic'] });
    if (mail.daemonNamed) {
      findings.push({
        reason: `machine sender ${quote(mail.fromHeader ?? sender ?? '')}`,
        sets: ['automatic'],
      });
    }
    if (sender !== null) {
      if (mail.daemonSender) {
        findings.push({ reason: `machine sender ${sender}`, sets: ['automatic'] });
      } else if (LIST_ROBOT_SENDER.test(sender)) {
        findings.push({ reason: `list robot sender ${sender}`, sets: ['automatic'] });
      } else if (NO_REPLY_SENDER.test(sender)) {
        findings.push({ reason: `no-reply sender ${sender}`, sets: ['autoReply'] });
      }
    }
    return findings;
  },
};
