/**
 * Form fields of the settings pages: the design system's Field with label, hint and the server's error for it.
 */
import type { ReactNode } from 'react';
import {
  Box,
  Field,
  Flex,
  SingleSelect,
  SingleSelectOption,
  Textarea,
  TextInput,
  Toggle,
  Typography,
} from '@strapi/design-system';
import { useT } from '../useT';

interface BaseProps {
  name: string;
  label: string;
  hint?: ReactNode;
  error?: string;
  required?: boolean;
  disabled?: boolean;
}

export const TextField = ({
  name,
  label,
  hint,
  error,
  required,
  disabled,
  value,
  onChange,
  type = 'text',
  placeholder,
  autoComplete,
  endAction,
  dir,
}: BaseProps & {
  value: string;
  onChange(value: string): void;
  type?: string;
  placeholder?: string;
  autoComplete?: string;
  endAction?: ReactNode;
  dir?: 'ltr' | 'rtl' | 'auto';
}) => (
  <Field.Root name={name} hint={hint} error={error} required={required}>
    <Field.Label>{label}</Field.Label>
    <TextInput
      type={type}
      value={value}
      placeholder={placeholder}
      autoComplete={autoComplete}
      disabled={disabled}
      endAction={endAction}
      dir={dir}
      onChange={(event: React.ChangeEvent<HTMLInputElement>) => onChange(event.target.value)}
    />
    <Field.Hint />
    <Field.Error />
  </Field.Root>
);

export const TextAreaField = ({
  name,
  label,
  hint,
  error,
  required,
  disabled,
  value,
  onChange,
  rows = 4,
  placeholder,
  dir,
}: BaseProps & {
  value: string;
  onChange(value: string): void;
  rows?: number;
  placeholder?: string;
  dir?: 'ltr' | 'rtl' | 'auto';
}) => (
  <Field.Root name={name} hint={hint} error={error} required={required}>
    <Field.Label>{label}</Field.Label>
    <Textarea
      value={value}
      rows={rows}
      placeholder={placeholder}
      disabled={disabled}
      dir={dir}
      onChange={(event: React.ChangeEvent<HTMLTextAreaElement>) => onChange(event.target.value)}
    />
    <Field.Hint />
    <Field.Error />
  </Field.Root>
);

export interface Option {
  value: string;
  label: string;
}

export const SelectField = ({
  name,
  label,
  hint,
  error,
  required,
  disabled,
  value,
  onChange,
  options,
  placeholder,
}: BaseProps & {
  value: string;
  onChange(value: string): void;
  options: Option[];
  placeholder?: string;
}) => (
  <Field.Root name={name} hint={hint} error={error} required={required}>
    <Field.Label>{label}</Field.Label>
    <SingleSelect
      value={value}
      placeholder={placeholder}
      disabled={disabled}
      onChange={(next: string | number) => onChange(String(next))}
    >
      {options.map((option) => (
        <SingleSelectOption key={option.value} value={option.value}>
          {option.label}
        </SingleSelectOption>
      ))}
    </SingleSelect>
    <Field.Hint />
    <Field.Error />
  </Field.Root>
);

export const ToggleField = ({
  name,
  label,
  hint,
  error,
  disabled,
  checked,
  onChange,
}: BaseProps & { checked: boolean; onChange(checked: boolean): void }) => {
  const t = useT();
  return (
    <Field.Root name={name} hint={hint} error={error}>
      <Field.Label>{label}</Field.Label>
      <Toggle
        checked={checked}
        disabled={disabled}
        onLabel={t('settings.common.on', 'On')}
        offLabel={t('settings.common.off', 'Off')}
        onChange={(event: React.ChangeEvent<HTMLInputElement>) => onChange(event.target.checked)}
      />
      <Field.Hint />
      <Field.Error />
    </Field.Root>
  );
};

/** A titled group of fields inside a white box, as Strapi's own settings forms lay them out. */
export const Section = ({
  title,
  description,
  children,
  id,
}: {
  title: string;
  description?: ReactNode;
  children: ReactNode;
  id?: string;
}) => (
  <Box
    tag="section"
    id={id}
    aria-label={title}
    background="neutral0"
    hasRadius
    shadow="filterShadow"
    paddingTop={6}
    paddingBottom={6}
    paddingLeft={7}
    paddingRight={7}
  >
    <Flex direction="column" alignItems="stretch" gap={4}>
      <Flex direction="column" alignItems="stretch" gap={1}>
        <Typography variant="delta" tag="h2">
          {title}
        </Typography>
        {description ? (
          <Typography variant="pi" textColor="neutral600">
            {description}
          </Typography>
        ) : null}
      </Flex>
      {children}
    </Flex>
  </Box>
);
