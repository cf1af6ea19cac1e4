/**
 * One condition and one action of the piping rule editor. The server names a refusal by the entry's place
 * (`conditions[0].pattern`, `actions[1].value`): each field shows the message for its own name.
 */
import { Box, Checkbox, Flex, Grid, Typography } from '@strapi/design-system';
import { PRIORITIES, STATUSES } from '../../../../contracts/ticket';
import {
  ACTION_TYPES,
  CONDITION_FIELDS,
  MATCH_MODES,
  type RuleActionType,
} from '../../../../contracts/rules';
import type { FieldErrors } from '../hooks/useServerForm';
import { useT } from '../useT';
import { DeleteIconButton } from './buttons';
import { EntryGroup, GridCell, SelectField, TextField, type Option } from './fields';
import { defaultActionValue, type ActionDraft, type ConditionDraft } from './ruleDraft';
import { actionLabels, fieldLabels, modeLabels, priorityLabels, statusLabels } from './ruleLabels';

interface EntryProps<D> {
  entry: D;
  index: number;
  errors: FieldErrors;
  onChange(patch: Partial<D>): void;
  /** Absent for the last entry left: a rule keeps at least one condition and one action. */
  onRemove?(): void;
}

export const ConditionEntry = ({
  entry: condition,
  index,
  errors,
  onChange,
  onRemove,
}: EntryProps<ConditionDraft>) => {
  const t = useT();
  const at = `conditions[${index}]`;
  const fields = fieldLabels(t);
  const modes = modeLabels(t);
  const isHeader = condition.field === 'header';
  return (
    <EntryGroup label={t('settings.rules.conditionN', 'Condition {n}', { n: index + 1 })} error={errors[at]}>
      <Grid.Root gap={4}>
        <GridCell col={3}>
          <SelectField
            name={`${at}.field`}
            label={t('settings.rules.condition.field', 'Field')}
            value={condition.field}
            error={errors[`${at}.field`]}
            onChange={(field) => onChange({ field: field as ConditionDraft['field'] })}
            options={CONDITION_FIELDS.map((value) => ({ value, label: fields[value] }))}
          />
        </GridCell>
        {isHeader ? (
          <GridCell col={3}>
            <TextField
              name={`${at}.header`}
              label={t('settings.rules.condition.header', 'Header name')}
              placeholder="X-Priority"
              value={condition.header}
              error={errors[`${at}.header`]}
              onChange={(header) => onChange({ header })}
            />
          </GridCell>
        ) : null}
        <GridCell col={3}>
          <SelectField
            name={`${at}.mode`}
            label={t('settings.rules.condition.mode', 'Match')}
            value={condition.mode}
            error={errors[`${at}.mode`]}
            onChange={(mode) => onChange({ mode: mode as ConditionDraft['mode'] })}
            options={MATCH_MODES.map((value) => ({ value, label: modes[value] }))}
          />
        </GridCell>
        <GridCell col={isHeader ? 3 : 6}>
          <TextField
            name={`${at}.pattern`}
            label={t('settings.rules.condition.pattern', 'Pattern')}
            value={condition.pattern}
            error={errors[`${at}.pattern`]}
            onChange={(pattern) => onChange({ pattern })}
          />
        </GridCell>
      </Grid.Root>
      <Flex gap={6} paddingTop={3} alignItems="center" justifyContent="space-between">
        <Flex gap={6}>
          <Checkbox
            checked={condition.caseSensitive}
            onCheckedChange={(value) => onChange({ caseSensitive: value === true })}
          >
            {t('settings.rules.condition.caseSensitive', 'Case sensitive')}
          </Checkbox>
          <Checkbox
            checked={condition.negate}
            onCheckedChange={(value) => onChange({ negate: value === true })}
          >
            {t('settings.rules.condition.negate', 'Negate (the condition must not hold)')}
          </Checkbox>
        </Flex>
        <DeleteIconButton
          label={t('settings.rules.condition.remove', 'Remove condition {n}', { n: index + 1 })}
          disabled={!onRemove}
          onClick={() => onRemove?.()}
        />
      </Flex>
    </EntryGroup>
  );
};

/** The value of an action: a choice for priority, status and (with users to choose from) assignee, else text. */
const ActionValueField = ({
  action,
  at,
  error,
  users,
  onChange,
}: {
  action: ActionDraft;
  at: string;
  error?: string;
  users?: Option[];
  onChange(value: string): void;
}) => {
  const t = useT();
  const common = { value: action.value, error, onChange };
  switch (action.type) {
    case 'setPriority': {
      const priorities = priorityLabels(t);
      return (
        <SelectField
          {...common}
          name={`${at}.value`}
          label={t('settings.rules.action.priority', 'Priority')}
          options={PRIORITIES.map((value) => ({ value, label: priorities[value] }))}
        />
      );
    }
    case 'setStatus': {
      const statuses = statusLabels(t);
      return (
        <SelectField
          {...common}
          name={`${at}.value`}
          label={t('settings.rules.action.status', 'Status')}
          options={STATUSES.map((value) => ({ value, label: statuses[value] }))}
        />
      );
    }
    case 'skipNotifications':
    case 'stopProcessing':
      return (
        <Typography variant="pi" textColor="neutral600">
          {t('settings.rules.action.noValue', 'This action takes no value.')}
        </Typography>
      );
    case 'assign':
      return users ? (
        <SelectField
          {...common}
          name={`${at}.adminUserId`}
          label={t('settings.rules.action.assignee', 'Admin user')}
          options={users}
        />
      ) : (
        <TextField
          {...common}
          name={`${at}.value`}
          label={t('settings.rules.action.assigneeId', 'Admin user id')}
        />
      );
    case 'setCategory':
      return (
        <TextField {...common} name={`${at}.value`} label={t('settings.rules.action.category', 'Category')} />
      );
    case 'addTags':
      return (
        <TextField
          {...common}
          name={`${at}.value`}
          label={t('settings.rules.action.tags', 'Tags (separated by commas)')}
        />
      );
    default:
      return (
        <TextField
          {...common}
          name={`${at}.value`}
          label={t('settings.rules.action.recipients', 'Addresses (separated by commas)')}
        />
      );
  }
};

export const ActionEntry = ({
  entry: action,
  index,
  errors,
  onChange,
  onRemove,
  users,
}: EntryProps<ActionDraft> & { users?: Option[] }) => {
  const t = useT();
  const at = `actions[${index}]`;
  const actionNames = actionLabels(t);
  return (
    <EntryGroup label={t('settings.rules.actionN', 'Action {n}', { n: index + 1 })} error={errors[at]}>
      <Flex gap={4} alignItems="flex-end">
        <Box flex="1">
          <SelectField
            name={`${at}.type`}
            label={t('settings.rules.action.type', 'Action')}
            value={action.type}
            error={errors[`${at}.type`]}
            onChange={(type) =>
              onChange({ type: type as RuleActionType, value: defaultActionValue(type as RuleActionType) })
            }
            options={ACTION_TYPES.map((value) => ({ value, label: actionNames[value] }))}
          />
        </Box>
        <Box flex="2">
          <ActionValueField
            action={action}
            at={at}
            error={errors[`${at}.value`] ?? errors[`${at}.adminUserId`]}
            users={users}
            onChange={(value) => onChange({ value })}
          />
        </Box>
        <DeleteIconButton
          label={t('settings.rules.action.remove', 'Remove action {n}', { n: index + 1 })}
          disabled={!onRemove}
          onClick={() => onRemove?.()}
        />
      </Flex>
    </EntryGroup>
  );
};
