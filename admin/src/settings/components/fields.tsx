/**
 * Form fields of the settings pages: the design system's Field with label, hint and the server's error for it.
 */
import type { ReactNode } from 'react';
import {
  Box,
  Field,
  Flex,
  Grid,
  SingleSelect,
  SingleSelectOption,
  Textarea,
  TextInput,
  Toggle,
  Typography,
} from '@strapi/design-system';
import { useT } from '../useT';

interface FrameProps {
  name: string;
  label: string;
  hint?: ReactNode;
  /** The server's refusal of this field. */
  error?: string;
  required?: boolean;
}

interface BaseProps extends FrameProps {
  disabled?: boolean;
}

/** Label, hint and error around one input: what every field of the settings forms shares. */
export const FieldFrame = ({
  name,
  label,
  hint,
  error,
  required,
  children,
}: FrameProps & { children: ReactNode }) => (
  <Field.Root name={name} hint={hint} error={error} required={required}>
    <Field.Label>{label}</Field.Label>
    {children}
    <Field.Hint />
    <Field.Error />
  </Field.Root>
);

export const TextField = ({
  value,
  onChange,
  disabled,
  type = 'text',
  placeholder,
  autoComplete,
  dir,
  ...frame
}: BaseProps & {
  value: string;
  onChange(value: string): void;
  type?: string;
  placeholder?: string;
  autoComplete?: string;
  dir?: 'ltr' | 'rtl' | 'auto';
}) => (
  <FieldFrame {...frame}>
    <TextInput
      type={type}
      value={value}
      placeholder={placeholder}
      autoComplete={autoComplete}
      disabled={disabled}
      dir={dir}
      onChange={(event: React.ChangeEvent<HTMLInputElement>) => onChange(event.target.value)}
    />
  </FieldFrame>
);

export const TextAreaField = ({
  value,
  onChange,
  disabled,
  rows = 4,
  placeholder,
  dir,
  ...frame
}: BaseProps & {
  value: string;
  onChange(value: string): void;
  rows?: number;
  placeholder?: string;
  dir?: 'ltr' | 'rtl' | 'auto';
}) => (
  <FieldFrame {...frame}>
    <Textarea
      value={value}
      rows={rows}
      placeholder={placeholder}
      disabled={disabled}
      dir={dir}
      onChange={(event: React.ChangeEvent<HTMLTextAreaElement>) => onChange(event.target.value)}
    />
  </FieldFrame>
);

export interface Option {
  value: string;
  label: string;
}

export const SelectField = ({
  value,
  onChange,
  disabled,
  options,
  placeholder,
  ...frame
}: BaseProps & {
  value: string;
  onChange(value: string): void;
  options: Option[];
  placeholder?: string;
}) => (
  <FieldFrame {...frame}>
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
  </FieldFrame>
);

export const ToggleField = ({
  checked,
  onChange,
  disabled,
  ...frame
}: BaseProps & { checked: boolean; onChange(checked: boolean): void }) => {
  const t = useT();
  return (
    <FieldFrame {...frame}>
      <Toggle
        checked={checked}
        disabled={disabled}
        onLabel={t('settings.common.on', 'On')}
        offLabel={t('settings.common.off', 'Off')}
        onChange={(event: React.ChangeEvent<HTMLInputElement>) => onChange(event.target.checked)}
      />
    </FieldFrame>
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

/** A cell of a design-system grid, `col` of 12 columns wide (`s` on small screens), that its content fills. */
export const GridCell = ({
  col = 6,
  s = 12,
  children,
}: {
  col?: number;
  s?: number;
  children: ReactNode;
}) => (
  <Grid.Item col={col} s={s} direction="column" alignItems="stretch">
    {children}
  </Grid.Item>
);

/** The server's refusal of something that is not one field (a list, a group): shown where it applies. */
export const ErrorText = ({ children }: { children?: string }) =>
  children ? (
    <Typography variant="pi" textColor="danger600">
      {children}
    </Typography>
  ) : null;

/** One entry of a repeated group in a form (a rule's condition or action), named for screen readers. */
export const EntryGroup = ({
  label,
  error,
  children,
}: {
  label: string;
  /** The server's refusal of the entry as a whole. */
  error?: string;
  children: ReactNode;
}) => (
  <Box padding={4} background="neutral100" hasRadius role="group" aria-label={label}>
    {children}
    <ErrorText>{error}</ErrorText>
  </Box>
);
