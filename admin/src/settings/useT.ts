import { useCallback } from 'react';
import { useIntl } from 'react-intl';
import { PLUGIN_ID } from '../pluginId';

export type Values = Record<string, string | number | boolean | null | undefined | Date>;

/** `t(key, English)`: a plugin string (`email-piping.<key>`), with its English text as the fallback. */
export function useT() {
  const { formatMessage } = useIntl();
  return useCallback(
    (key: string, defaultMessage: string, values?: Values) =>
      formatMessage({ id: `${PLUGIN_ID}.${key}`, defaultMessage }, values as never),
    [formatMessage]
  );
}

export type T = ReturnType<typeof useT>;
