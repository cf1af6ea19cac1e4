import importer from './importer';
import mailboxes from './mailboxes';
import receipts from './receipts';
import tickets from './tickets';

export default { importer, mailboxes, receipts, tickets };
