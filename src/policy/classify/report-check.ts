/**
 * Reports (RFC 6522) and report parts: delivery status → bounce; read receipts (RFC 8098) and abuse reports are
 * automatic, never bounces.
 */
import type { CheckFinding, InboundCheck } from './inbound-check';
import { DELIVERY_STATUS_TYPES, DISPOSITION_NOTIFICATION_TYPES } from './report-type';

export const reportCheck: InboundCheck = {
  name: 'report-check',
  run(mail, soFar) {
    const { reportType, partTypes } = mail;
    const findings: CheckFinding[] = [];
    let bounce = soFar.bounce;
    if (reportType === 'delivery-status' || reportType === 'global-delivery-status') {
      bounce = true;
      findings.push({
        reason: `delivery status report (multipart/report; report-type=${reportType})`,
        sets: ['bounce'],
      });
    } else if (reportType === 'disposition-notification') {
      findings.push({
        reason: 'read receipt (multipart/report; report-type=disposition-notification)',
        sets: ['automatic', 'readReceipt'],
      });
    } else if (reportType === 'feedback-report') {
      findings.push({
        reason: 'abuse report (multipart/report; report-type=feedback-report)',
        sets: ['automatic'],
      });
    } else if (reportType !== null) {
      findings.push({
        reason: `machine report (multipart/report; report-type=${reportType})`,
        sets: ['automatic'],
      });
    }
    if (!bounce && partTypes.some((type) => DELIVERY_STATUS_TYPES.has(type))) {
      bounce = true;
      findings.push({ reason: 'delivery status part', sets: ['bounce'] });
    }
    if (
      reportType !== 'disposition-notification' &&
      partTypes.some((type) => DISPOSITION_NOTIFICATION_TYPES.has(type))
    ) {
      // A delivery-status part or report-type says "bounce" explicitly; the receipt part alone says "receipt".
      findings.push({
        reason: 'read receipt part (message/disposition-notification)',
        sets: bounce ? ['automatic'] : ['automatic', 'readReceipt'],
      });
    }
    if (reportType !== 'feedback-report' && partTypes.includes('message/feedback-report')) {
      findings.push({ reason: 'abuse report part (message/feedback-report)', sets: ['automatic'] });
    }
    return findings;
  },
};
