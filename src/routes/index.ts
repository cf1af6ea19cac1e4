/** Admin routes, served under /email-piping/...; each checks the admin session and one RBAC action. */
import { ACTIONS } from '../permissions';

function guarded(action: string) {
  return {
    policies: [
      'admin::isAuthenticatedAdmin',
      { name: 'admin::hasPermissions', config: { actions: [action] } },
    ],
  };
}

const settings = guarded(ACTIONS.manageSettings);
const readTickets = guarded(ACTIONS.readTickets);
const replyTickets = guarded(ACTIONS.replyTickets);

export default {
  admin: {
    type: 'admin',
    routes: [
      { method: 'GET', path: '/mailboxes', handler: 'mailboxes.find', config: settings },
      { method: 'POST', path: '/mailboxes', handler: 'mailboxes.create', config: settings },
      { method: 'POST', path: '/mailboxes/test', handler: 'mailboxes.testUnsaved', config: settings },
      { method: 'GET', path: '/mailboxes/:id', handler: 'mailboxes.findOne', config: settings },
      { method: 'PUT', path: '/mailboxes/:id', handler: 'mailboxes.update', config: settings },
      { method: 'DELETE', path: '/mailboxes/:id', handler: 'mailboxes.delete', config: settings },
      { method: 'POST', path: '/mailboxes/:id/test', handler: 'mailboxes.testSaved', config: settings },
      { method: 'POST', path: '/mailboxes/:id/run', handler: 'mailboxes.run', config: settings },
      {
        method: 'POST',
        path: '/mailboxes/:id/resume-auto-mail',
        handler: 'mailboxes.resumeAutoMail',
        config: settings,
      },
      { method: 'GET', path: '/tickets', handler: 'tickets.find', config: readTickets },
      { method: 'GET', path: '/tickets/:id', handler: 'tickets.findOne', config: readTickets },
      { method: 'PUT', path: '/tickets/:id', handler: 'tickets.update', config: replyTickets },
      { method: 'POST', path: '/tickets/:id/reply', handler: 'tickets.reply', config: replyTickets },
      { method: 'POST', path: '/tickets/:id/notes', handler: 'tickets.addNote', config: replyTickets },
      { method: 'GET', path: '/assignees', handler: 'assignees.find', config: readTickets },
      { method: 'GET', path: '/templates', handler: 'templates.find', config: settings },
      { method: 'PUT', path: '/templates', handler: 'templates.upsert', config: settings },
      { method: 'DELETE', path: '/templates/:id', handler: 'templates.delete', config: settings },
      { method: 'POST', path: '/templates/preview', handler: 'templates.preview', config: settings },
      { method: 'GET', path: '/outbox', handler: 'outbox.find', config: settings },
      { method: 'GET', path: '/suppressions', handler: 'suppressions.find', config: settings },
      { method: 'DELETE', path: '/suppressions/:id', handler: 'suppressions.delete', config: settings },
      { method: 'GET', path: '/piping-rules', handler: 'rules.findPiping', config: settings },
      { method: 'POST', path: '/piping-rules', handler: 'rules.createPiping', config: settings },
      { method: 'PUT', path: '/piping-rules/order', handler: 'rules.reorderPiping', config: settings },
      { method: 'PUT', path: '/piping-rules/:id', handler: 'rules.updatePiping', config: settings },
      { method: 'DELETE', path: '/piping-rules/:id', handler: 'rules.deletePiping', config: settings },
      { method: 'GET', path: '/block-rules', handler: 'rules.findBlock', config: settings },
      { method: 'POST', path: '/block-rules', handler: 'rules.createBlock', config: settings },
      { method: 'PUT', path: '/block-rules/:id', handler: 'rules.updateBlock', config: settings },
      { method: 'DELETE', path: '/block-rules/:id', handler: 'rules.deleteBlock', config: settings },
      { method: 'POST', path: '/simulate', handler: 'rules.simulate', config: settings },
      { method: 'GET', path: '/receipts', handler: 'receipts.find', config: settings },
      { method: 'GET', path: '/receipts/:id/raw', handler: 'receipts.raw', config: settings },
      { method: 'POST', path: '/receipts/:id/reprocess', handler: 'receipts.reprocess', config: settings },
      { method: 'POST', path: '/receipts/:id/discard', handler: 'receipts.discard', config: settings },
      { method: 'GET', path: '/stats', handler: 'stats.overview', config: readTickets },
    ],
  },
};
