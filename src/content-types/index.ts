import mailbox from './mailbox/schema.json';
import ticket from './ticket/schema.json';
import ticketMessage from './ticket-message/schema.json';
import blockRule from './block-rule/schema.json';
import inboundReceipt from './inbound-receipt/schema.json';
import notificationTemplate from './notification-template/schema.json';
import outboxMessage from './outbox-message/schema.json';
import pipingRule from './piping-rule/schema.json';
import suppressedAddress from './suppressed-address/schema.json';
import importerLease from './importer-lease/schema.json';
import importerInstance from './importer-instance/schema.json';
import ticketNumber from './ticket-number/schema.json';

export default {
  mailbox: { schema: mailbox },
  ticket: { schema: ticket },
  'ticket-message': { schema: ticketMessage },
  'inbound-receipt': { schema: inboundReceipt },
  'outbox-message': { schema: outboxMessage },
  'notification-template': { schema: notificationTemplate },
  'piping-rule': { schema: pipingRule },
  'block-rule': { schema: blockRule },
  'suppressed-address': { schema: suppressedAddress },
  'importer-lease': { schema: importerLease },
  'importer-instance': { schema: importerInstance },
  'ticket-number': { schema: ticketNumber },
};
