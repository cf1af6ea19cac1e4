/** Translated names of rule fields, modes and actions, shared by the rule and block-rule pages. */
import type { Priority, TicketStatus } from '../../../../contracts/ticket';
import type {
  Condition,
  ConditionField,
  MatchMode,
  RuleAction,
  RuleActionType,
} from '../../../../contracts/rules';
import type { T } from '../useT';

export function fieldLabels(t: T): Record<ConditionField, string> {
  return {
    sender: t('settings.rules.field.sender', 'Sender'),
    forwardingAddress: t('settings.rules.field.forwardingAddress', 'Forwarding address'),
    to: t('settings.rules.field.to', 'To'),
    cc: t('settings.rules.field.cc', 'Cc'),
    recipients: t('settings.rules.field.recipients', 'To or Cc'),
    subject: t('settings.rules.field.subject', 'Subject'),
    body: t('settings.rules.field.body', 'Body'),
    header: t('settings.rules.field.header', 'Header'),
    authentication: t('settings.rules.field.authentication', 'Sender authentication (pass, fail, none)'),
  };
}

export function modeLabels(t: T): Record<MatchMode, string> {
  return {
    exact: t('settings.rules.mode.exact', 'is exactly'),
    wildcard: t('settings.rules.mode.wildcard', 'matches the wildcard'),
    regex: t('settings.rules.mode.regex', 'matches the regular expression'),
  };
}

export function actionLabels(t: T): Record<RuleActionType, string> {
  return {
    setPriority: t('settings.rules.action.setPriority', 'Set priority'),
    setStatus: t('settings.rules.action.setStatus', 'Set status'),
    addTags: t('settings.rules.action.addTags', 'Add tags'),
    setCategory: t('settings.rules.action.setCategory', 'Set category'),
    assign: t('settings.rules.action.assign', 'Assign to'),
    addRecipients: t('settings.rules.action.addRecipients', 'Add recipients'),
    skipNotifications: t('settings.rules.action.skipNotifications', 'Send no notifications'),
    stopProcessing: t('settings.rules.action.stopProcessing', 'Stop processing later rules'),
  };
}

export function priorityLabels(t: T): Record<Priority, string> {
  return {
    low: t('settings.priority.low', 'Low'),
    normal: t('settings.priority.normal', 'Normal'),
    high: t('settings.priority.high', 'High'),
    urgent: t('settings.priority.urgent', 'Urgent'),
  };
}

export function statusLabels(t: T): Record<TicketStatus, string> {
  return {
    open: t('settings.status.open', 'Open'),
    pending: t('settings.status.pending', 'Pending'),
    resolved: t('settings.status.resolved', 'Resolved'),
    closed: t('settings.status.closed', 'Closed'),
  };
}

export function describeCondition(t: T, condition: Condition): string {
  const field =
    condition.field === 'header'
      ? `${fieldLabels(t).header} ${condition.header ?? ''}`
      : fieldLabels(t)[condition.field];
  const mode = modeLabels(t)[condition.mode];
  return condition.negate
    ? t('settings.rules.summary.conditionNot', '{field} not {mode} “{pattern}”', {
        field,
        mode,
        pattern: condition.pattern,
      })
    : t('settings.rules.summary.condition', '{field} {mode} “{pattern}”', {
        field,
        mode,
        pattern: condition.pattern,
      });
}

export function describeAction(t: T, action: RuleAction, userName?: (id: number) => string): string {
  const label = actionLabels(t)[action.type];
  switch (action.type) {
    case 'setPriority':
      return `${label}: ${priorityLabels(t)[action.value] ?? action.value}`;
    case 'setStatus':
      return `${label}: ${statusLabels(t)[action.value] ?? action.value}`;
    case 'addTags':
    case 'addRecipients':
      return `${label}: ${action.value.join(', ')}`;
    case 'setCategory':
      return `${label}: ${action.value}`;
    case 'assign':
      return `${label}: ${userName ? userName(action.adminUserId) : `#${action.adminUserId}`}`;
    default:
      return label;
  }
}
