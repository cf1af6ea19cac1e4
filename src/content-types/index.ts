import mailbox from './mailbox/schema.json';
import ticket from './ticket/schema.json';
import ticketMessage from './ticket-message/schema.json';
import inboundReceipt from './inbound-receipt/schema.json';

export default {
  mailbox: { schema: mailbox },
  ticket: { schema: ticket },
  'ticket-message': { schema: ticketMessage },
  'inbound-receipt': { schema: inboundReceipt },
};
