import assignees from './assignees';
import conversation from './conversation';
import importer from './importer';
import leases from './leases';
import mailboxes from './mailboxes';
import notifications from './notifications';
import outbox from './outbox';
import receipts from './receipts';
import rules from './rules';
import simulator from './simulator';
import stats from './stats';
import suppressions from './suppressions';
import templates from './templates';
import tickets from './tickets';

export default {
  assignees,
  conversation,
  importer,
  leases,
  mailboxes,
  notifications,
  outbox,
  receipts,
  rules,
  simulator,
  stats,
  suppressions,
  templates,
  tickets,
};
