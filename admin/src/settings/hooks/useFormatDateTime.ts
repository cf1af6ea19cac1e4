import { useCallback } from 'react';
import { useIntl } from 'react-intl';

/** Dates of the settings lists, in the admin's language: "Nov 23, 2026, 10:45 AM"; no date gives null. */
export function useFormatDateTime() {
  const { formatDate } = useIntl();
  return useCallback(
    (value: string | null | undefined): string | null =>
      value ? formatDate(value, { dateStyle: 'medium', timeStyle: 'short' }) : null,
    [formatDate]
  );
}
