/**
 * Settings → Email piping → Block lists: mail whose sender or subject matches a block rule is recorded and dropped
 * before anything else happens. The defaults (mailer-daemon@*, noreply@*, …) are rules like any other.
 */
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { useIntl } from 'react-intl';
import { Page, useFetchClient, useNotification } from '@strapi/strapi/admin';
import {
  Button,
  Checkbox,
  EmptyStateLayout,
  Flex,
  IconButton,
  Modal,
  Switch,
  Table,
  Tbody,
  Td,
  Th,
  Thead,
  Tr,
  Typography,
} from '@strapi/design-system';
import { Pencil, Plus, Trash } from '@strapi/icons';
import { BASE, MATCH_MODES, readServerError, type BlockRule, type MatchMode } from '../api';
import { ConfirmDialog } from '../components/ConfirmDialog';
import { useT } from '../useT';
import { SelectField, TextField } from '../components/fields';
import { fieldLabels, modeLabels } from '../components/ruleLabels';
import { ProtectSettings, SettingsPage } from '../components/SettingsPage';

interface BlockDraft {
  id: number | null;
  field: 'sender' | 'subject';
  mode: MatchMode;
  pattern: string;
  caseSensitive: boolean;
  enabled: boolean;
  note: string;
}

const emptyBlock = (): BlockDraft => ({
  id: null,
  field: 'sender',
  mode: 'wildcard',
  pattern: '',
  caseSensitive: false,
  enabled: true,
  note: '',
});

const BlockRuleModal = ({
  draft,
  onClose,
  onSaved,
}: {
  draft: BlockDraft;
  onClose(): void;
  onSaved(rule: BlockRule): void;
}) => {
  const t = useT();
  const { post, put } = useFetchClient();
  const [value, setValue] = useState(draft);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [saving, setSaving] = useState(false);
  const fields = fieldLabels(t);
  const modes = modeLabels(t);

  const save = async (event: FormEvent) => {
    event.preventDefault();
    event.stopPropagation();
    setSaving(true);
    setErrors({});
    const body = {
      field: value.field,
      mode: value.mode,
      pattern: value.pattern,
      caseSensitive: value.caseSensitive,
      enabled: value.enabled,
      note: value.note.trim() === '' ? null : value.note.trim(),
    };
    try {
      const { data } =
        value.id === null
          ? await post<{ data: BlockRule }>(`${BASE}/block-rules`, body)
          : await put<{ data: BlockRule }>(`${BASE}/block-rules/${value.id}`, body);
      onSaved(data.data);
    } catch (error) {
      const problem = readServerError(error);
      setErrors(Object.keys(problem.fields).length > 0 ? problem.fields : { pattern: problem.message });
    } finally {
      setSaving(false);
    }
  };

  return (
    <Modal.Root open onOpenChange={(open) => !open && onClose()}>
      <Modal.Content>
        <form onSubmit={save} noValidate>
          <Modal.Header>
            <Modal.Title>
              {value.id === null
                ? t('settings.block.createTitle', 'New block rule')
                : t('settings.block.editTitle', 'Edit block rule')}
            </Modal.Title>
          </Modal.Header>
          <Modal.Body>
            <Flex direction="column" alignItems="stretch" gap={4}>
              <SelectField
                name="field"
                label={t('settings.block.field', 'Field')}
                value={value.field}
                error={errors.field}
                onChange={(field) => setValue({ ...value, field: field as BlockDraft['field'] })}
                options={[
                  { value: 'sender', label: fields.sender },
                  { value: 'subject', label: fields.subject },
                ]}
              />
              <SelectField
                name="mode"
                label={t('settings.block.mode', 'Match')}
                value={value.mode}
                error={errors.mode}
                onChange={(mode) => setValue({ ...value, mode: mode as MatchMode })}
                options={MATCH_MODES.map((mode) => ({ value: mode, label: modes[mode] }))}
              />
              <TextField
                name="pattern"
                label={t('settings.block.pattern', 'Pattern')}
                hint={t(
                  'settings.block.patternHint',
                  'For example spammer@example.com, *@spam.example or ^Buy now'
                )}
                required
                value={value.pattern}
                error={errors.pattern}
                onChange={(pattern) => setValue({ ...value, pattern })}
              />
              <TextField
                name="note"
                label={t('settings.block.note', 'Note')}
                value={value.note}
                error={errors.note}
                onChange={(note) => setValue({ ...value, note })}
              />
              <Flex gap={6}>
                <Checkbox
                  checked={value.caseSensitive}
                  onCheckedChange={(checked) => setValue({ ...value, caseSensitive: checked === true })}
                >
                  {t('settings.rules.condition.caseSensitive', 'Case sensitive')}
                </Checkbox>
                <Checkbox
                  checked={value.enabled}
                  onCheckedChange={(checked) => setValue({ ...value, enabled: checked === true })}
                >
                  {t('settings.block.enabled', 'Enabled')}
                </Checkbox>
              </Flex>
            </Flex>
          </Modal.Body>
          <Modal.Footer>
            <Modal.Close>
              <Button variant="tertiary" type="button">
                {t('settings.common.cancel', 'Cancel')}
              </Button>
            </Modal.Close>
            <Button type="submit" loading={saving}>
              {t('settings.common.save', 'Save')}
            </Button>
          </Modal.Footer>
        </form>
      </Modal.Content>
    </Modal.Root>
  );
};

const BlockRules = () => {
  const t = useT();
  const { formatDate } = useIntl();
  const { get, put, del } = useFetchClient();
  const { toggleNotification } = useNotification();
  const [rules, setRules] = useState<BlockRule[] | null>(null);
  const [loadError, setLoadError] = useState(false);
  const [editing, setEditing] = useState<BlockDraft | null>(null);
  const [toDelete, setToDelete] = useState<BlockRule | null>(null);
  const fields = fieldLabels(t);
  const modes = modeLabels(t);

  const load = useCallback(async () => {
    try {
      const { data } = await get<{ data: BlockRule[] }>(`${BASE}/block-rules`);
      setRules(data.data);
    } catch {
      setLoadError(true);
    }
  }, [get]);

  useEffect(() => {
    void load();
  }, [load]);

  const toggle = async (rule: BlockRule, enabled: boolean) => {
    try {
      const { data } = await put<{ data: BlockRule }>(`${BASE}/block-rules/${rule.id}`, { enabled });
      setRules((current) => current?.map((row) => (row.id === rule.id ? data.data : row)) ?? null);
    } catch (error) {
      toggleNotification({ type: 'danger', message: readServerError(error).message });
    }
  };

  const remove = async () => {
    if (!toDelete) return;
    const target = toDelete;
    setToDelete(null);
    try {
      await del(`${BASE}/block-rules/${target.id}`);
      setRules((current) => current?.filter((row) => row.id !== target.id) ?? null);
    } catch (error) {
      toggleNotification({ type: 'danger', message: readServerError(error).message });
    }
  };

  if (loadError) return <Page.Error />;
  if (!rules) return <Page.Loading />;

  return (
    <SettingsPage
      title={t('settings.block.title', 'Block lists')}
      subtitle={t(
        'settings.block.subtitle',
        'Mail whose sender or subject matches one of these rules is recorded and dropped: no ticket, no answer.'
      )}
      primaryAction={
        <Button startIcon={<Plus />} onClick={() => setEditing(emptyBlock())}>
          {t('settings.block.add', 'Add a block rule')}
        </Button>
      }
    >
      {rules.length === 0 ? (
        <EmptyStateLayout content={t('settings.block.empty', 'No block rule.')} />
      ) : (
        <Table colCount={6} rowCount={rules.length + 1}>
          <Thead>
            <Tr>
              <Th>
                <Typography variant="sigma">{t('settings.block.column.rule', 'Rule')}</Typography>
              </Th>
              <Th>
                <Typography variant="sigma">{t('settings.block.column.note', 'Note')}</Typography>
              </Th>
              <Th>
                <Typography variant="sigma">{t('settings.rules.column.hits', 'Hits')}</Typography>
              </Th>
              <Th>
                <Typography variant="sigma">{t('settings.block.column.lastHit', 'Last hit')}</Typography>
              </Th>
              <Th>
                <Typography variant="sigma">{t('settings.rules.column.enabled', 'Enabled')}</Typography>
              </Th>
              <Th>
                <Typography variant="sigma">{t('settings.common.actions', 'Actions')}</Typography>
              </Th>
            </Tr>
          </Thead>
          <Tbody>
            {rules.map((rule) => {
              const label = `${fields[rule.field]} ${modes[rule.mode]} “${rule.pattern}”`;
              return (
                <Tr key={rule.id} data-block-rule-id={rule.id}>
                  <Td>
                    <Typography>{label}</Typography>
                    {rule.caseSensitive ? (
                      <Typography variant="pi" textColor="neutral600">
                        {' '}
                        {t('settings.rules.condition.caseSensitive', 'Case sensitive')}
                      </Typography>
                    ) : null}
                  </Td>
                  <Td>
                    <Typography variant="pi" textColor="neutral600">
                      {rule.note ?? ''}
                    </Typography>
                  </Td>
                  <Td>
                    <Typography>{rule.hitCount ?? 0}</Typography>
                  </Td>
                  <Td>
                    <Typography variant="pi" textColor="neutral600">
                      {rule.lastHitAt
                        ? formatDate(rule.lastHitAt, { dateStyle: 'medium', timeStyle: 'short' })
                        : '–'}
                    </Typography>
                  </Td>
                  <Td>
                    <Switch
                      aria-label={t('settings.block.enable', 'Enable {rule}', { rule: label })}
                      checked={rule.enabled}
                      onCheckedChange={(checked) => toggle(rule, checked)}
                    />
                  </Td>
                  <Td>
                    <Flex gap={1}>
                      <IconButton
                        withTooltip={false}
                        label={t('settings.block.edit', 'Edit {rule}', { rule: label })}
                        variant="ghost"
                        onClick={() =>
                          setEditing({
                            id: rule.id,
                            field: rule.field,
                            mode: rule.mode,
                            pattern: rule.pattern,
                            caseSensitive: rule.caseSensitive === true,
                            enabled: rule.enabled,
                            note: rule.note ?? '',
                          })
                        }
                      >
                        <Pencil />
                      </IconButton>
                      <IconButton
                        withTooltip={false}
                        label={t('settings.block.delete', 'Delete {rule}', { rule: label })}
                        variant="ghost"
                        onClick={() => setToDelete(rule)}
                      >
                        <Trash />
                      </IconButton>
                    </Flex>
                  </Td>
                </Tr>
              );
            })}
          </Tbody>
        </Table>
      )}
      {editing ? (
        <BlockRuleModal
          draft={editing}
          onClose={() => setEditing(null)}
          onSaved={(rule) => {
            setEditing(null);
            setRules((current) => {
              if (!current) return [rule];
              return current.some((row) => row.id === rule.id)
                ? current.map((row) => (row.id === rule.id ? rule : row))
                : [...current, rule];
            });
            toggleNotification({ type: 'success', message: t('settings.block.saved', 'Block rule saved') });
          }}
        />
      ) : null}
      <ConfirmDialog open={toDelete !== null} onCancel={() => setToDelete(null)} onConfirm={remove}>
        {t('settings.block.deleteConfirm', 'Delete this block rule?')}
      </ConfirmDialog>
    </SettingsPage>
  );
};

const BlockRulesPage = () => (
  <ProtectSettings>
    <BlockRules />
  </ProtectSettings>
);

export default BlockRulesPage;
