import assignees from './assignees';
import conversation from './conversation';
import importer from './importer';
import leases from './leases';
import mailboxes from './mailboxes';
import mailboxWatcher from './mailbox-watcher';
import notifications from './notifications';
import outbox from './outbox';
import push from './push';
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
  mailboxWatcher,
  notifications,
  outbox,
  push,
  receipts,
  rules,
  simulator,
  stats,
  suppressions,
  templates,
  tickets,
};
